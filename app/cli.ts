// The `palaver` command line.
import { parseArgs } from 'node:util';
import { check } from './check.ts';

const USAGE = `usage: palaver <command> [options]

commands:
  check [FILE…]       validate UI descriptions (default: all of ui-descriptions/)
  serve               run the chat server (browser front-end)
      --host HOST       address to listen on (default 127.0.0.1)
      --port PORT       port (default 8080)
      --data DIR        data directory (default ./data)
      --database URL    keep the chat in PostgreSQL (postgres://user:pass@host/db;
                        also PALAVER_DATABASE) instead of SQLite in DIR
      --database-pool N connections to PostgreSQL (default 10)
      --admin NAME      make NAME an administrator (repeatable; also PALAVER_ADMINS)
      --tui             also run a terminal session for the person at the console
      --line            also run a line-mode session on stdin and stdout
      --dev             reload changed descriptions and catalogs into running sessions
                        (each shows its screen anew; a broken file is logged, not used)
      --restrict-channels   only administrators and granted users create channels
      --session-minutes M   how long a session outlives its connection (default 10)
      --origin URL      a public origin pages are served from, e.g. https://chat.example
                        (repeatable; also PALAVER_ORIGINS, comma-separated; the listen
                        address is always allowed)
      --log-level L     fatal, error, warn, info (default), debug, trace or silent
                        (also PALAVER_LOG_LEVEL); JSON lines on stdout, human lines on
                        a terminal; with --tui or --line, JSON lines in DIR/palaver.log
      --max-sessions N  sessions at most (default 50000; also PALAVER_MAX_SESSIONS);
                        when full, the oldest session nobody signed in to makes room
      --trust-proxy A   believe X-Forwarded-For from this reverse proxy: an address,
                        a CIDR or loopback (repeatable; also PALAVER_TRUST_PROXY), so
                        that limits per client address see the clients, not the proxy
  tui                 chat in this terminal, connected to a server
      --url URL         the server (default http://localhost:8080)
  line                chat in plain lines (a serial console, a screen reader, a
                      script piping commands in), connected to a server
      --url URL         the server (default http://localhost:8080)
  grant NAME          let NAME (registered with a password) create channels
                      (with --restrict-channels); open sessions see it at once
      --revoke          take it back instead
      --data DIR        data directory (default ./data)
      --database URL    the servers' PostgreSQL (also PALAVER_DATABASE)
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) { process.stdout.write(USAGE); return 0; }
  switch (command) {
    case 'check': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      return check(positionals, line => console.log(line));
    }
    case 'serve': {
      const { serveCommand } = await import('./serve.ts');
      return serveCommand(rest);
    }
    case 'tui': {
      const { tuiCommand } = await import('./tui.ts');
      return tuiCommand(rest);
    }
    case 'line': {
      const { lineCommand } = await import('./line.ts');
      return lineCommand(rest);
    }
    case 'grant': {
      const { grantCommand } = await import('./grant.ts');
      return grantCommand(rest);
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`palaver: unknown command ${command}\n\n${USAGE}`);
      return 1;
  }
}
