// `--url URL` of the commands that connect to a running server (`tui`, `line`).
import { parseArgs } from 'node:util';

/** The server's address from `--url` (or PALAVER_URL), or null after saying why it will not do. */
export function serverUrl(command: string, args: string[]): URL | null {
  const { values } = parseArgs({ args, options: { url: { type: 'string', default: process.env.PALAVER_URL ?? 'http://localhost:8080' } } });
  try {
    const url = new URL(values.url!);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch { /* said below */ }
  process.stderr.write(`palaver ${command}: --url must be an http:// or https:// address, not ${values.url}\n`);
  return null;
}
