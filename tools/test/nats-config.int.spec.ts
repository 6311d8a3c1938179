// The generated NATS configurations run on the real nats-server (2.9.10 here): the Kubernetes one as an actual
// 3-node JetStream cluster on localhost, provisioned with R3 streams exactly as the init container does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JSONCodec, type NatsConnection } from 'nats';
import { parse as parseYaml } from 'yaml';
import { subjects } from '@twokey/contracts';
import { connectNats } from '@twokey/messaging';
import { findNatsServer, freePort, startNats, type NatsHarness } from '@twokey/test-support';
import { generatePassword, natsUserNames, passwordEnvVar, ROUTE_PASSWORD_ENV, routeUrlEnvVar } from '../../deploy/nats/nats-auth';
import { provision } from '../../deploy/nats/provision';
import { assertBuilt, repoRoot } from './support/dist';

const k8sConf = () =>
  (parseYaml(readFileSync(path.join(repoRoot, 'deploy/k8s/base/nats/nats-config.yaml'), 'utf8')) as { data: Record<string, string> }).data['nats.conf'];
const composeConf = () => readFileSync(path.join(repoRoot, 'deploy/compose/nats.conf'), 'utf8');

const passwords = Object.fromEntries(natsUserNames().map((u) => [u, generatePassword()]));
const routePassword = generatePassword();
const passwordEnv = { ...Object.fromEntries(natsUserNames().map((u) => [passwordEnvVar(u), passwords[u]])), [ROUTE_PASSWORD_ENV]: routePassword };
/** What the StatefulSet composes for each route: its URL with the route credentials (here, local cluster ports). */
const routeEnv = (ports: readonly number[]) =>
  Object.fromEntries(ports.map((port, i) => [routeUrlEnvVar(i), `nats://route:${routePassword}@127.0.0.1:${port}`]));

function replaceOnce(text: string, from: RegExp, to: string): string {
  if (!from.test(text)) throw new Error(`the generated configuration no longer contains ${from}`);
  return text.replace(from, to);
}

describe('generated NATS configuration files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'twokey-natsconf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['Kubernetes', k8sConf],
    ['compose', composeConf],
  ])('%s configuration passes nats-server -t', (_name, conf) => {
    const file = path.join(dir, `${_name}.conf`);
    writeFileSync(file, conf());
    const r = spawnSync(findNatsServer()!, ['-t', '-c', file], { env: { ...process.env, ...passwordEnv, ...routeEnv([6222, 6223, 6224]), POD_NAME: 'nats-0' }, encoding: 'utf8' });
    expect({ status: r.status, output: r.stderr + r.stdout }).toMatchObject({ status: 0 });
  });

  it('refuses to start when a password variable is missing (no silent empty password)', () => {
    const file = path.join(dir, 'missing.conf');
    writeFileSync(file, composeConf());
    const r = spawnSync(findNatsServer()!, ['-t', '-c', file], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/TWOKEY_NATS_PASSWORD_/);
  });
});

describe('the Kubernetes NATS configuration as a 3-node cluster', () => {
  const nodes: NatsHarness[] = [];
  const open: NatsConnection[] = [];
  const clusterPorts: number[] = [];
  const monitorPorts: number[] = [];
  const prefix = 'twokey';
  const s = subjects(prefix);

  beforeAll(async () => {
    assertBuilt('dist/libs/messaging/src/index.js');
    clusterPorts.push(await freePort(), await freePort(), await freePort());
    for (let i = 0; i < 3; i++) monitorPorts.push(await freePort());
    const confs = await Promise.all(
      clusterPorts.map(async (port, i) => {
        let conf = k8sConf();
        conf = replaceOnce(conf, /^http: .*$/m, `http: 127.0.0.1:${monitorPorts[i]}`);
        conf = replaceOnce(conf, /^pid_file: .*$/m, `pid_file: ${path.join(tmpdir(), `twokey-nats-${process.pid}-${i}.pid`)}`);
        conf = replaceOnce(conf, /^ {2}store_dir: \/data$/m, '');
        conf = replaceOnce(conf, /^ {2}listen: 0\.0\.0\.0:6222$/m, `  listen: 127.0.0.1:${port}`);
        return conf;
      }),
    );
    // Started together, as the StatefulSet's Parallel pod management does: a JetStream cluster needs its peers.
    const started = await Promise.allSettled(confs.map((config, i) => startNats({ spawn: true, config, env: { ...passwordEnv, ...routeEnv(clusterPorts), POD_NAME: `nats-${i}` } })));
    for (const r of started) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await provision({
      url: nodes.map((n) => n.url).join(','),
      user: 'provisioner',
      password: passwords.provisioner,
      prefix,
      replicas: 3,
      connections: ['line'],
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(nodes.map((n) => n.dispose()));
  });

  const as = async (user: string, node = 0) => {
    const nc = await connectNats({ url: nodes[node].url, user, password: passwords[user], name: `test-${user}` }, { maxReconnectAttempts: 0 });
    open.push(nc);
    return nc;
  };

  it('provisions the four streams with three replicas', async () => {
    const jsm = await (await as('pairing-service')).jetstreamManager();
    for (const name of [s.streams.inbound, s.streams.admitted, s.streams.events]) {
      const info = await jsm.streams.info(name);
      expect({ name, replicas: info.config.num_replicas, peers: 1 + (info.cluster?.replicas?.length ?? 0) }).toEqual({ name, replicas: 3, peers: 3 });
    }
  });

  it('lets a gateway on one node publish its inbound and the pairing-service on another see it', async () => {
    const jc = JSONCodec();
    const gw = await as('gateway-line', 1);
    const ack = await gw.jetstream().publish(s.inbound('line'), jc.encode({ probe: true }), { msgID: 'line:cluster-1' });
    expect(ack.stream).toBe(s.streams.inbound);
    const jsm = await (await as('pairing-service', 2)).jetstreamManager();
    const info = await jsm.streams.info(s.streams.inbound, { subjects_filter: s.inbound('line') });
    expect(info.state.subjects?.[s.inbound('line')]).toBe(1);
    await expect(gw.jetstream().publish(s.events('access-line'), jc.encode({}))).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });

  const routesOf = async (node: number) =>
    ((await (await fetch(`http://127.0.0.1:${monitorPorts[node]}/routez`)).json()) as { num_routes: number }).num_routes;

  it('admits to the cluster only servers that know the route password', async () => {
    // The three nodes found each other with the password (each route is counted once per direction at most).
    expect(await routesOf(0)).toBeGreaterThanOrEqual(2);
    const before = await routesOf(0);
    // A server that reaches port 6222 (same cluster name, no password) is refused, and so never sees a message.
    const rogue = await startNats({
      spawn: true,
      config: ['server_name: rogue', 'cluster {', '  name: twokey', `  listen: 127.0.0.1:${await freePort()}`, `  routes: [ nats://127.0.0.1:${clusterPorts[0]} ]`, '}'].join('\n'),
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!/authorization violation/i.test(rogue.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(rogue.output()).toMatch(/authorization violation/i);
      expect(await routesOf(0)).toBe(before);
    } finally {
      await rogue.dispose();
    }
  });
});
