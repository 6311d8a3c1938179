// Docker is not needed to check what matters in the Dockerfile and compose.yaml: small non-root images with
// production dependencies only, least-privilege containers, one NATS user per service, and every variable documented.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { natsUserNames, passwordEnvVar } from '../../deploy/nats/nats-auth';
import { repoRoot } from './support/dist';

const read = (rel: string) => readFileSync(path.join(repoRoot, rel), 'utf8');
const APPS = readdirSync(path.join(repoRoot, 'apps')).filter((a) => existsSync(path.join(repoRoot, 'apps', a, 'package.json')));

/** Dockerfile instructions with continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const ins = instructions(read('Dockerfile'));
  const stages = ins.filter((i) => i.op === 'FROM');
  const runtimeStart = ins.findIndex((i) => i.op === 'FROM' && /AS runtime$/i.test(i.args));
  const runtime = ins.slice(runtimeStart);

  it('is multi-stage on a pinned Node 24 slim image', () => {
    expect(stages.map((s) => s.args)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
    const image = ins.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1];
    expect(image).toMatch(/^node:24\.\d+\.\d+-(bookworm-slim|slim|alpine[\d.]*)$/);
  });

  it('builds with npm ci and keeps only production dependencies, without the test support lib', () => {
    const build = ins.slice(0, runtimeStart).filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/build\.mjs/);
    expect(build).toMatch(/npm (prune|ci) [^&]*--omit=dev/);
    expect(build).toMatch(/rm -rf dist\/libs\/test-support/);
    const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies.every((c) => c.startsWith('--from=build '))).toBe(true);
    expect(copies.join('\n')).not.toMatch(/\/src\/(apps|libs)\/[^ ]*\/src|test-support|\/src\/ \.|\/src\/\. /);
  });

  it('selects the app with ARG APP and runs it as a non-root numeric user', () => {
    expect(runtime).toContainEqual({ op: 'ARG', args: 'APP' });
    expect(runtime.find((i) => i.op === 'RUN')!.args).toContain('ln -s "dist/apps/${APP}/src/main.js" main.js');
    const user = runtime.filter((i) => i.op === 'USER').pop()!.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(runtime.filter((i) => i.op === 'CMD').pop()!.args).toBe('["node", "--enable-source-maps", "main.js"]');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['.env', '**/*.env', '.twokey', 'node_modules', 'dist', '.git']) expect(ignored).toContain(p);
  });
});

type ComposeService = {
  image?: string;
  build?: { args?: { APP?: string } };
  environment?: Record<string, string | null>;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  ports?: string[];
  command?: string[];
};

describe('compose.yaml', () => {
  const compose = parseYaml(read('compose.yaml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;

  it('runs NATS with the generated configuration and every user password', () => {
    const nats = services.nats;
    // A pinned, supported release line for the images (2.11 or newer); the suite itself runs on the oldest, 2.9.10.
    expect(nats.image).toMatch(/^nats:2\.(1[1-9])\.\d+(-alpine)?$/);
    expect(read('deploy/k8s/base/nats/nats.yaml')).toContain(`image: ${nats.image}`);
    expect(nats.command).toEqual(['--config', '/etc/nats/nats.conf']);
    expect(Object.keys(nats.environment!).sort()).toEqual(natsUserNames().map(passwordEnvVar).sort());
  });

  it('has every app, each built from the Dockerfile with its APP, pinned, read-only and without capabilities', () => {
    for (const app of APPS) {
      const s = services[app];
      expect({ app, present: !!s }).toEqual({ app, present: true });
      expect(s.build?.args?.APP).toBe(app);
      expect(s.image).toBe(`twokey/${app}:${JSON.parse(read('package.json')).version}`);
      expect(s).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
      for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('gives each app its own NATS user and only its own secrets', () => {
    const own: Record<string, string[]> = {
      'pairing-service': ['PAIRING_HMAC_SECRET', 'RPC_AUTH_SECRET'],
      'admin-api': ['ADMIN_TOKEN_HASHES', 'SESSION_SECRET', 'RPC_AUTH_SECRET'],
    };
    // The agent bridge's NATS user is `agent` (design §7); every other app's is its own name.
    const natsUser = (app: string) => (app === 'agent-bridge' ? 'agent' : app);
    for (const app of APPS) {
      const env = services[app].environment!;
      expect(env.NATS_USER).toBe(natsUser(app));
      expect(env.NATS_PASSWORD).toMatch(new RegExp(`^\\$\\{${passwordEnvVar(natsUser(app))}:\\?`));
      expect(env.ENSURE_STREAMS).toBe('false');
      const foreign = Object.keys(env).filter((k) => /^TWOKEY_NATS_PASSWORD_|^(PAIRING_HMAC_SECRET|ADMIN_TOKEN_HASHES|SESSION_SECRET|RPC_AUTH_SECRET)$/.test(k) && !own[app]?.includes(k));
      expect({ app, foreign }).toEqual({ app, foreign: [] });
    }
    expect(services['pairing-service'].environment!.PAIRING_HMAC_SECRET).toBeDefined();
    expect(services['pairing-service'].environment!.RPC_AUTH_SECRET).toBeDefined();
    expect(services['admin-api'].environment!.RPC_AUTH_SECRET).toBeDefined();
    expect(services['gateway-telegram'].environment!).not.toHaveProperty('ADMIN_TOKEN_HASHES');
    // The reply capability key: the pairing-service signs, every gateway checks, nobody else holds it.
    for (const app of APPS) {
      const holds = 'REPLY_CAPABILITY_SECRET' in services[app].environment!;
      expect({ app, holds }).toEqual({ app, holds: app === 'pairing-service' || app.startsWith('gateway-') });
    }
    expect(services.provision.environment).toMatchObject({ NATS_USER: 'provisioner' });
    expect(services.provision.command).toEqual(['node', 'deploy/nats/provision.js']);
  });
});

describe('.env.example', () => {
  const documented = new Set(read('.env.example').split('\n').map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1]).filter(Boolean));

  it('documents every variable a service reads', () => {
    const files = [
      'libs/gateway-kit/src/config.ts',
      ...APPS.map((a) => `apps/${a}/src/config.ts`).filter((f) => existsSync(path.join(repoRoot, f))),
    ];
    const read_ = files.flatMap((f) => [...read(f).matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):/gm)].map((m) => m[1]));
    expect(read_.length).toBeGreaterThan(20);
    expect([...new Set(read_)].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('documents every variable of npm start, compose.yaml and the provisioner', () => {
    const used = [
      ...read('tools/scripts/start.mjs').matchAll(/env\.([A-Z][A-Z0-9_]+)/g),
      ...read('tools/scripts/local-stack/services.js').matchAll(/'([A-Z][A-Z0-9_]*[A-Z0-9])'/g),
      ...read('tools/scripts/local-stack/nats-local.js').matchAll(/env\.([A-Z][A-Z0-9_]+)/g),
      ...read('compose.yaml').matchAll(/\$\{([A-Z][A-Z0-9_]+)/g),
      ...read('deploy/nats/provision.js').matchAll(/env\.([A-Z][A-Z0-9_]+)/g),
    ].map((m) => m[1]);
    const platformVars = ['TELEGRAM', 'DISCORD', 'SLACK', 'MATTERMOST', 'FEISHU', 'LINE'].flatMap((p) => [`${p}_HTTP_PORT`, `${p}_CONNECTION_ID`]);
    expect([...new Set([...used, ...platformVars])].filter((v) => !documented.has(v) && v !== 'PATH')).toEqual([]);
  });

  it('holds no value that looks like a secret', () => {
    for (const line of read('.env.example').split('\n')) if (/^[A-Z]/.test(line)) expect(line).toMatch(/=$/);
  });
});
