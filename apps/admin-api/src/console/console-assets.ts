import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Thrown at start-up when the console's static folder cannot be found; names every place that was tried. */
export class ConsoleDirNotFound extends Error {
  override readonly name = 'ConsoleDirNotFound';
  constructor(readonly tried: string[]) {
    super(`the web console's static files were not found; set CONSOLE_DIR to apps/admin-api/console (tried: ${tried.join(', ')})`);
  }
}

/**
 * Where apps/admin-api/console is. The build copies only .ts → dist, so the static folder stays in the source
 * tree. CONSOLE_DIR, when set, is the only place looked at (a wrong value is an error, not a silent fallback).
 * Otherwise: next to the sources (ts run by jest), then the repository root seen from the compiled file
 * (dist/apps/admin-api/src/console → five levels up), then process.cwd() (npm start from the root).
 */
export function resolveConsoleDir(env: NodeJS.ProcessEnv = process.env, here: string = __dirname): string {
  const candidates = env.CONSOLE_DIR
    ? [path.resolve(env.CONSOLE_DIR)]
    : [
        path.resolve(here, '../../console'),
        path.resolve(here, '../../../../../apps/admin-api/console'),
        path.resolve(process.cwd(), 'apps/admin-api/console'),
      ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'login.html')));
  if (!found) throw new ConsoleDirNotFound(candidates);
  return found;
}

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function load(file: string): StaticFile {
  const body = readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/**
 * The console's files, read once into memory at start-up: a request can only ever get one of these (no path from
 * the URL reaches the file system), and the folder is small (a few dozen kilobytes).
 */
export class ConsoleAssets {
  readonly loginPage: StaticFile;
  readonly appPage: StaticFile;
  private readonly assets = new Map<string, StaticFile>();

  constructor(readonly dir: string) {
    this.loginPage = load(path.join(dir, 'login.html'));
    this.appPage = load(path.join(dir, 'index.html'));
    this.collect(path.join(dir, 'assets'), '');
  }

  private collect(dir: string, prefix: string): void {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) this.collect(full, `${prefix}${name}/`);
      else if (TYPES[path.extname(name)]) this.assets.set(`${prefix}${name}`, load(full));
    }
  }

  /** An asset by its path under /console/assets/, or undefined. */
  asset(relative: string): StaticFile | undefined {
    return this.assets.get(relative);
  }

  get names(): string[] {
    return [...this.assets.keys()].sort();
  }
}
