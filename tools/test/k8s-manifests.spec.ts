// The Kubernetes overlays as kustomize renders them (tools/test/support/kustomize.ts implements the subset used),
// checked for what the deployment promises: probes, resources, non-root read-only pods, pinned images, env
// references that resolve, Services that select pods, a NetworkPolicy and a PodDisruptionBudget per workload.
import path from 'node:path';
import { natsUserNames, passwordEnvVar, ROUTE_PASSWORD_ENV, routeUrlEnvVar } from '../../deploy/nats/nats-auth';
import { GATEWAYS, PLACEHOLDER, staleFiles } from '../../deploy/generate';
import { kustomizeBuild, type JsonObject, type Resource } from './support/kustomize';
import { repoRoot } from './support/dist';

type Container = JsonObject & { name: string; image: string };

const render = (overlay: string) => kustomizeBuild(path.join(repoRoot, 'deploy/k8s/overlays', overlay), { envExamples: true });
const overlays = { dev: render('dev'), prod: render('prod') };

const of = (docs: Resource[], kind: string) => docs.filter((d) => d.kind === kind);
const one = (docs: Resource[], kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} is missing`);
  return d;
};
const workloads = (docs: Resource[]) => docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
const podTemplate = (w: Resource) => (w.spec as JsonObject).template as JsonObject & { metadata: { labels: Record<string, string> }; spec: JsonObject };
const containersOf = (w: Resource, withInit = true): Container[] => {
  const spec = podTemplate(w).spec;
  return [...(withInit ? ((spec.initContainers as Container[]) ?? []) : []), ...((spec.containers as Container[]) ?? [])];
};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels[k] === v);
const secretKeys = (s: Resource) => Object.keys({ ...((s.data as JsonObject) ?? {}), ...((s.stringData as JsonObject) ?? {}) });

const APPS = ['pairing-service', 'admin-api', ...GATEWAYS.map((g) => `gateway-${g.platform}`), 'agent-bridge'];
/** The agent bridge's NATS user is `agent` (design §7); every other app's is its own name. */
const natsUserOf = (app: string) => (app === 'agent-bridge' ? 'agent' : app);

describe.each(Object.entries(overlays))('overlay %s', (_name, docs) => {
  it('has a Deployment and a Service per app, and the NATS StatefulSet', () => {
    expect(of(docs, 'Deployment').map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
    for (const app of APPS) one(docs, 'Service', app);
    expect((one(docs, 'StatefulSet', 'nats').spec as JsonObject).replicas).toBe(3);
  });

  it('puts every namespaced object in the overlay namespace', () => {
    const ns = of(docs, 'Namespace');
    expect(ns).toHaveLength(1);
    for (const d of docs.filter((x) => x.kind !== 'Namespace')) expect(d.metadata.namespace).toBe(ns[0].metadata.name);
  });

  it.each(APPS)('%s: probes on /healthz and /readyz of the metrics port, resources, non-root read-only security context', (app) => {
    const w = one(docs, 'Deployment', app);
    const pod = podTemplate(w).spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [main] = containersOf(w, false);
    // L4: probes and metrics on their own port (PROBE_PORT), never on the one the ingress or a platform reaches.
    expect(main.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'metrics' } });
    expect(main.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'metrics' } });
    expect((main.ports as JsonObject[]).map((p) => [p.name, p.containerPort])).toEqual([['http', 8080], ['metrics', 9090]]);
    expect(main.env).toContainEqual({ name: 'PROBE_PORT', value: '9090' });
    expect(podTemplate(w).metadata).toMatchObject({ annotations: { 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics' } });
    for (const c of containersOf(w)) {
      expect(c.resources).toMatchObject({
        requests: { cpu: expect.any(String), memory: expect.any(String) },
        limits: { cpu: expect.any(String), memory: expect.any(String) },
      });
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      // A read-only root still needs a writable /tmp.
      const tmp = (c.volumeMounts as JsonObject[]).find((m) => m.mountPath === '/tmp');
      const volume = (pod.volumes as JsonObject[]).find((v) => v.name === tmp?.name);
      expect(volume?.emptyDir).toBeDefined();
    }
  });

  it('gives the NATS pods probes, resources and the same security context', () => {
    const nats = one(docs, 'StatefulSet', 'nats');
    expect(podTemplate(nats).spec.securityContext).toMatchObject({ runAsNonRoot: true });
    const [c] = containersOf(nats);
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: expect.stringMatching(/^\/healthz/) } });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: expect.stringMatching(/^\/healthz/) } });
    expect(c.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('pins every image to a version (no :latest, no bare name)', () => {
    for (const w of workloads(docs)) {
      for (const c of containersOf(w)) {
        expect(c.image).toMatch(/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.imagePullPolicy).not.toBe('Always');
      }
    }
  });

  it('resolves every env reference to an existing ConfigMap/Secret key', () => {
    const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
    let checked = 0;
    for (const w of workloads(docs)) {
      for (const c of containersOf(w)) {
        for (const e of (c.env as JsonObject[] | undefined) ?? []) {
          const from = e.valueFrom as JsonObject | undefined;
          const cm = from?.configMapKeyRef as JsonObject | undefined;
          const sk = from?.secretKeyRef as JsonObject | undefined;
          const ref = cm ?? sk;
          if (!ref || ref.optional === true) continue;
          const target = find(cm ? 'ConfigMap' : 'Secret', ref.name as string);
          expect({ container: c.name, env: e.name, exists: !!target }).toEqual({ container: c.name, env: e.name, exists: true });
          const keys = cm ? Object.keys((target!.data as JsonObject) ?? {}) : secretKeys(target!);
          expect(keys).toContain(ref.key);
          checked++;
        }
        for (const f of (c.envFrom as JsonObject[] | undefined) ?? []) {
          const ref = (f.configMapRef ?? f.secretRef) as JsonObject;
          if (ref.optional === true) continue;
          expect({ container: c.name, ref: ref.name, exists: !!find(f.configMapRef ? 'ConfigMap' : 'Secret', ref.name as string) }).toEqual({
            container: c.name,
            ref: ref.name,
            exists: true,
          });
          checked++;
        }
      }
      for (const v of (podTemplate(w).spec.volumes as JsonObject[] | undefined) ?? []) {
        const cm = v.configMap as JsonObject | undefined;
        if (cm) expect(find('ConfigMap', cm.name as string)).toBeDefined();
      }
    }
    expect(checked).toBeGreaterThan(APPS.length * 2);
  });

  it('gives each app the NATS user named after it, whose password the NATS pods read from the same Secret', () => {
    const users = one(docs, 'Secret', 'twokey-nats-users');
    const conf = (one(docs, 'ConfigMap', 'nats-config').data as Record<string, string>)['nats.conf'];
    expect(secretKeys(users).sort()).toEqual([...natsUserNames().map(passwordEnvVar), ROUTE_PASSWORD_ENV].sort());
    for (const u of natsUserNames()) expect(conf).toContain(`{ user: "${u}", password: $${passwordEnvVar(u)},`);
    // The cluster routes authenticate with a password only the NATS pods read (no app is given that key).
    expect(conf).toMatch(new RegExp(`cluster \\{[^]*authorization \\{\\s*user: route\\s*password: \\$${ROUTE_PASSWORD_ENV}\\s*\\}`));
    // Each route URL carries the credentials, composed from the Secret before it is used ($(VAR) expands only
    // variables defined earlier in the list).
    const [nats] = containersOf(one(docs, 'StatefulSet', 'nats'), false);
    const natsEnv = (nats.env as JsonObject[]).map((e) => e.name);
    expect(nats.env).toContainEqual({ name: ROUTE_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: 'twokey-nats-users', key: ROUTE_PASSWORD_ENV } } });
    for (const i of [0, 1, 2]) {
      expect(conf).toContain(`$${routeUrlEnvVar(i)}`);
      expect(nats.env).toContainEqual({ name: routeUrlEnvVar(i), value: `nats://route:$(${ROUTE_PASSWORD_ENV})@nats-${i}.nats-headless:6222` });
      expect(natsEnv.indexOf(routeUrlEnvVar(i))).toBeGreaterThan(natsEnv.indexOf(ROUTE_PASSWORD_ENV));
    }
    for (const app of APPS) {
      const [main] = containersOf(one(docs, 'Deployment', app), false);
      const env = main.env as JsonObject[];
      expect(env).toContainEqual({ name: 'NATS_USER', value: natsUserOf(app) });
      expect(env).toContainEqual({ name: 'NATS_PASSWORD', valueFrom: { secretKeyRef: { name: 'twokey-nats-users', key: passwordEnvVar(natsUserOf(app)) } } });
      expect(JSON.stringify(podTemplate(one(docs, 'Deployment', app)))).not.toContain(ROUTE_PASSWORD_ENV);
    }
    const init = (podTemplate(one(docs, 'Deployment', 'pairing-service')).spec.initContainers as Container[])[0];
    expect(init.command).toEqual(['node', 'deploy/nats/provision.js']);
    expect(init.env).toContainEqual({ name: 'NATS_USER', value: 'provisioner' });
  });

  it('matches every Service selector to pod labels and its target port to a container port', () => {
    for (const svc of of(docs, 'Service')) {
      const spec = svc.spec as JsonObject;
      const selector = spec.selector as Record<string, string>;
      const pods = workloads(docs).filter((w) => selects(selector, podTemplate(w).metadata.labels));
      expect({ service: svc.metadata.name, pods: pods.length }).toEqual({ service: svc.metadata.name, pods: 1 });
      const portNames = containersOf(pods[0], false).flatMap((c) => ((c.ports as JsonObject[]) ?? []).map((p) => p.name));
      for (const p of spec.ports as JsonObject[]) expect(portNames).toContain(p.targetPort);
    }
  });

  it('denies all traffic by default and gives every workload its own NetworkPolicy', () => {
    const policies = of(docs, 'NetworkPolicy');
    const deny = one(docs, 'NetworkPolicy', 'default-deny').spec as JsonObject;
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const w of workloads(docs)) {
      const labels = podTemplate(w).metadata.labels;
      const own = policies.filter((p) => {
        const sel = ((p.spec as JsonObject).podSelector as JsonObject).matchLabels as Record<string, string> | undefined;
        return sel && Object.keys(sel).length > 0 && selects(sel, labels);
      });
      expect({ workload: w.metadata.name, policies: own.length }).toEqual({ workload: w.metadata.name, policies: 1 });
      const spec = own[0].spec as JsonObject;
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const egress = JSON.stringify(spec.egress);
      if (w.metadata.name === 'nats') {
        expect(egress).toContain('6222');
        continue;
      }
      expect(egress).toContain('"app.kubernetes.io/name":"nats"');
      expect(egress).toContain('4222');
      // Only gateways (their platform) and the agent bridge (its agent's model API) talk to the internet, only on 443.
      if (w.metadata.name.startsWith('gateway-') || w.metadata.name === 'agent-bridge') expect(spec.egress).toContainEqual(expect.objectContaining({ ports: [{ port: 443, protocol: 'TCP' }] }));
      else expect(egress).not.toContain('ipBlock');
    }
    const adminIngress = (one(docs, 'NetworkPolicy', 'admin-api').spec as JsonObject).ingress as JsonObject[];
    expect(adminIngress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }] },
      { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'twokey.io/metrics-scraper': 'true' } } }], ports: [{ port: 'metrics', protocol: 'TCP' }] },
    ]);
    // The metrics port is open to the scraper only, in every app.
    for (const app of APPS) {
      const ingress = JSON.stringify((one(docs, 'NetworkPolicy', app).spec as JsonObject).ingress);
      expect(ingress).toContain('"port":"metrics"');
      expect(ingress).toContain('twokey.io/metrics-scraper');
    }
  });

  it('has a PodDisruptionBudget for every workload', () => {
    for (const w of workloads(docs)) {
      const labels = podTemplate(w).metadata.labels;
      const pdbs = of(docs, 'PodDisruptionBudget').filter((p) =>
        selects(((p.spec as JsonObject).selector as JsonObject).matchLabels as Record<string, string>, labels),
      );
      expect({ workload: w.metadata.name, pdbs: pdbs.length }).toEqual({ workload: w.metadata.name, pdbs: 1 });
    }
  });

  it('never has zero pairing-service or admin-api pods during a rolling update', () => {
    for (const app of ['pairing-service', 'admin-api']) {
      expect((one(docs, 'Deployment', app).spec as JsonObject).strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    }
  });

  it('ships placeholder secrets only', () => {
    for (const s of of(docs, 'Secret')) {
      for (const v of Object.values((s.data as Record<string, string>) ?? {})) expect(Buffer.from(v, 'base64').toString()).toBe(PLACEHOLDER);
    }
  });

  it('provisions a consumer for every gateway connection and lists it in the admin-api', () => {
    const data = one(docs, 'ConfigMap', 'twokey-config').data as Record<string, string>;
    const ids = GATEWAYS.map((g) => {
      const env = containersOf(one(docs, 'Deployment', `gateway-${g.platform}`), false)[0].env as JsonObject[];
      return env.find((e) => e.name === 'TWOKEY_CONNECTION_ID')!.value as string;
    });
    expect(data.TWOKEY_CONNECTIONS.split(',')).toEqual(ids);
    expect(data.CONNECTIONS.split(',')).toEqual(ids);
    expect(data.ENSURE_STREAMS).toBe('false');
  });
});

describe('prod overlay', () => {
  const docs = overlays.prod;
  it('runs R3 streams on three NATS nodes spread over Kubernetes nodes', () => {
    expect((one(docs, 'ConfigMap', 'twokey-config').data as JsonObject).STREAM_REPLICAS).toBe('3');
    const nats = one(docs, 'StatefulSet', 'nats');
    expect((nats.spec as JsonObject).replicas).toBe(3);
    expect(JSON.stringify(podTemplate(nats).spec.affinity)).toContain('requiredDuringSchedulingIgnoredDuringExecution');
  });

  it('runs at least two pairing-service and admin-api pods', () => {
    for (const app of ['pairing-service', 'admin-api']) expect((one(docs, 'Deployment', app).spec as JsonObject).replicas).toBeGreaterThanOrEqual(2);
  });

  it('includes the monitoring component: a PodMonitor that scrapes every app on its metrics port, and no NATS pod', () => {
    const monitor = one(docs, 'PodMonitor', 'twokey');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.namespace).toBe('twokey');
    const spec = monitor.spec as JsonObject & { selector: { matchLabels: Record<string, string>; matchExpressions: { key: string; operator: string; values: string[] }[] }; podMetricsEndpoints: JsonObject[] };
    expect(spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    const selected = (labels: Record<string, string>) =>
      selects(spec.selector.matchLabels, labels) && spec.selector.matchExpressions.every((e) => e.operator === 'In' && e.values.includes(labels[e.key]));
    for (const w of workloads(docs)) {
      const labels = podTemplate(w).metadata.labels;
      if (w.metadata.name === 'nats') {
        expect(selected(labels)).toBe(false);
        continue;
      }
      expect({ app: w.metadata.name, scraped: selected(labels) }).toEqual({ app: w.metadata.name, scraped: true });
      const [main] = containersOf(w, false);
      expect((main.ports as JsonObject[]).some((p) => p.name === 'metrics')).toBe(true);
    }
  });
});

describe('dev overlay without the monitoring component', () => {
  it('has no PodMonitor (a cluster without the Prometheus Operator CRDs still applies it)', () => {
    expect(of(overlays.dev, 'PodMonitor')).toEqual([]);
  });
});

describe('dev overlay', () => {
  it('runs R1 streams and one pod per service', () => {
    const docs = overlays.dev;
    expect((one(docs, 'ConfigMap', 'twokey-config').data as JsonObject).STREAM_REPLICAS).toBe('1');
    expect((one(docs, 'Deployment', 'pairing-service').spec as JsonObject).replicas).toBe(1);
  });
});

describe('generated deployment files', () => {
  it('are up to date with deploy/generate.js and deploy/nats/permissions.json', () => {
    expect(staleFiles()).toEqual([]);
  });
});
