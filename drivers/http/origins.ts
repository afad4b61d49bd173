// Which page origins may talk to the server. The Host header is the client's to choose, so it
// proves nothing; what counts is the configured public origins (`--origin`, behind a proxy or
// under a name) and the origins of the listen address itself, which only this server serves.
import { networkInterfaces } from 'node:os';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** `scheme://host[:port]` as browsers send it in Origin, or null if `text` is not an origin. */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origins of a server listening on `host`:`port` over plain http: a loopback host in all its
 * spellings (localhost, 127.0.0.1, [::1]); a wildcard host as each address of this machine's
 * interfaces (and the loopback spellings); any other host as itself.
 */
export function listenOrigins(host: string, port: number): string[] {
  const hosts = LOOPBACK.has(host) ? [...LOOPBACK]
    : WILDCARD.has(host) ? [...LOOPBACK, ...interfaceAddresses(host === '0.0.0.0')]
      : [host];
  return hosts.map(h => new URL(`http://${h.includes(':') ? `[${h}]` : h}:${port}`).origin);
}

function interfaceAddresses(ipv4Only: boolean): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // A link-local IPv6 address needs a zone in a URL: no browser page has it as its origin.
      if (a.family === 'IPv6' && (ipv4Only || a.scopeid)) continue;
      out.push(a.address);
    }
  }
  return out;
}

/** Parses configured origins, refusing anything that is not `http(s)://host[:port]`. */
export function configuredOrigins(list: readonly string[]): string[] {
  return list.map(o => {
    let url: URL | null = null;
    try { url = new URL(o); } catch { /* refused below */ }
    const plain = url && (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search && !url.hash && !url.username;
    if (!url || !plain) throw new Error(`not an origin (http(s)://host[:port]): ${o}`);
    return url.origin;
  });
}
