// Reads s-expressions with positions, on top of the `s-expression` package's parser.
// The package knows neither `;` comments nor `#t`/`#f`, and its atoms carry no position,
// so this module drives the package's Parser and wraps every datum in a positioned node.
import SParse from 's-expression';

export interface Position { file: string; line: number; col: number }

export type Datum =
  | { type: 'list'; items: Datum[]; pos: Position }
  | { type: 'symbol'; value: string; pos: Position }
  | { type: 'string'; value: string; pos: Position }
  | { type: 'number'; value: number; pos: Position }
  | { type: 'boolean'; value: boolean; pos: Position };

export class ReadError extends Error {
  constructor(readonly pos: Position, readonly reason: string) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${reason}`);
  }
}

interface PackageParser {
  _line: number; _col: number; _pos: number; _stream: string;
  peek(): string; consume(): string; list(): unknown; atom(): unknown;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Reads every top-level datum of a source text. */
export function readAll(source: string, file: string): Datum[] {
  const parser = new (SParse as unknown as { Parser: new (s: string) => PackageParser }).Parser(source);
  const here = (): Position => ({ file, line: parser._line + 1, col: parser._col + 1 });
  const skipBlank = () => {
    for (;;) {
      const c = parser.peek();
      if (c === ';') { while (parser.peek() !== '' && parser.peek() !== '\n' && parser.peek() !== '\r') parser.consume(); }
      else if (c !== '' && /\s/.test(c)) parser.consume();
      else return;
    }
  };
  // The package's list() calls this.expr() for each element and stops at ''.
  const nodes = new Map<unknown, Datum>();
  const expr = (): unknown => {
    skipBlank();
    const pos = here();
    const c = parser.peek();
    if (c === '') return '';
    if (c === ')') return '';
    if (c === "'" || c === '`' || c === ',') throw new ReadError(pos, `quotation with ${c} is not part of the description language`);
    let datum: Datum;
    if (c === '(') {
      const raw = parser.list();
      if (raw instanceof Error) {
        if (parser.peek() === '') throw new ReadError(pos, 'unbalanced parenthesis: this ( is never closed');
        throw new ReadError(here(), raw.message.replace(/^Syntax error: /, ''));
      }
      datum = { type: 'list', items: (raw as unknown[]).map(r => nodes.get(r)!), pos };
    } else {
      const raw = parser.atom();
      if (raw instanceof Error) throw new ReadError(pos, /Unterminated string/.test(raw.message) ? 'unterminated string' : raw.message.replace(/^Syntax error: /, ''));
      datum = atomDatum(raw, pos);
    }
    const key = {};
    nodes.set(key, datum);
    skipBlank();
    return key;
  };
  (parser as unknown as { expr: () => unknown }).expr = expr;

  const out: Datum[] = [];
  for (;;) {
    skipBlank();
    if (parser.peek() === '') return out;
    if (parser.peek() === ')') throw new ReadError(here(), 'unbalanced parenthesis: ) without a matching (');
    out.push(nodes.get(expr())!);
  }
}

function atomDatum(raw: unknown, pos: Position): Datum {
  if (raw instanceof String) return { type: 'string', value: raw.valueOf(), pos };
  const text = String(raw);
  if (text === '#t' || text === '#true') return { type: 'boolean', value: true, pos };
  if (text === '#f' || text === '#false') return { type: 'boolean', value: false, pos };
  if (NUMBER.test(text)) return { type: 'number', value: Number(text), pos };
  if (text.startsWith('#')) throw new ReadError(pos, `unknown literal ${text} (expected #t or #f)`);
  return { type: 'symbol', value: text, pos };
}

export function describe(d: Datum): string {
  switch (d.type) {
    case 'list': return 'a list';
    case 'symbol': return `the symbol ${d.value}`;
    case 'string': return `the string ${JSON.stringify(d.value)}`;
    case 'number': return `the number ${d.value}`;
    case 'boolean': return d.value ? '#t' : '#f';
  }
}
