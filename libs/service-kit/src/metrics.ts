import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * The one metrics convention of every service: prom-client's default process metrics under their standard,
 * unprefixed names (process_*, nodejs_*: the same in every service, so one dashboard query covers all), our own
 * metrics prefixed `twokey_`, and `twokey_build_info{service,version,node}` = 1.
 */
export function registerServiceMetrics(registry: Registry, service: string, options: { defaults?: boolean } = {}): void {
  if (options.defaults !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'twokey_build_info',
    help: 'Always 1; the labels say which build runs (service, version of the repository, Node.js version)',
    labelNames: ['service', 'version', 'node'] as const,
    registers: [registry],
  }).set({ service, version: buildVersion(), node: process.version }, 1);
}

let version: string | undefined;

/** The repository's package.json version, found from dist/ or the sources ("unknown" if neither has one). */
export function buildVersion(): string {
  if (version) return version;
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'twokey' && pkg.version) return (version = pkg.version);
    } catch {
      // not here: one folder up
    }
    dir = path.dirname(dir);
  }
  return (version = 'unknown');
}
