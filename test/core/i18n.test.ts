import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalogs } from '../../core/i18n.ts';

const c = new Catalogs({ ru: { Hello: 'Привет, {name}' }, 'zh-CN': { Hello: '你好，{name}' } });

test('picks the first preferred language Palaver has, by tag then by primary subtag', () => {
  assert.equal(c.pick(['fr', 'ru-RU']), 'ru');
  assert.equal(c.pick(['zh']), 'zh-CN');
  assert.equal(c.pick(['zh_CN.UTF-8']), 'zh-CN');
  assert.equal(c.pick(['de', 'fr']), 'en');
  assert.equal(c.pick([]), 'en');
});

test('translates with placeholders and falls back to English', () => {
  assert.equal(c.translate('ru', 'Hello', { name: 'Алиса' }), 'Привет, Алиса');
  assert.equal(c.translate('zh-CN', 'Goodbye'), 'Goodbye');
  assert.equal(c.translate('en', 'Hi {name}', { name: 'bob' }), 'Hi bob');
});
