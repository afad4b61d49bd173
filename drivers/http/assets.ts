// The browser client, bundled by esbuild from client/ when the server starts and served from
// memory: everything the page loads comes from Palaver itself.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface Assets { html: string; js: string; css: string; icon: string }

const CLIENT = new URL('./client/', import.meta.url);

export async function buildAssets(): Promise<Assets> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('main.ts', CLIENT))],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
  });
  const js = result.outputFiles[0].text;
  const css = await readFile(new URL('style.css', CLIENT), 'utf8');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Palaver</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script type="module" src="/app.js"></script>
</head>
<body>
<div id="connection" role="status" aria-live="polite"></div>
<div id="app"></div>
<div id="toast" role="alert" aria-live="assertive"></div>
</body>
</html>
`;
  const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3457d5"/><path d="M8 9h16v10H14l-5 4v-4H8z" fill="#fff"/></svg>';
  return { html, js, css, icon };
}
