// deploy/grafana/twokey-dashboard.json: a valid dashboard whose every query names a metric that a service exposes
// (defined in our sources, or one of prom-client's default process metrics), so a renamed metric cannot leave a
// silently empty panel.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { repoRoot } from './support/dist';

interface Panel { title: string; type: string; targets: { expr: string }[]; gridPos: { x: number; y: number; w: number; h: number } }
const dashboard = JSON.parse(readFileSync(path.join(repoRoot, 'deploy/grafana/twokey-dashboard.json'), 'utf8')) as { uid: string; panels: Panel[] };

/** Metrics of the agent bridge, built alongside (apps/agent-bridge): the panel stays empty without it. */
const FROM_AGENT_BRIDGE = new Set(['twokey_agent_turns_total']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

function exposedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sources(path.join(repoRoot, 'apps')), ...sources(path.join(repoRoot, 'libs'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(twokey_[a-z0-9_]+)'/g)) names.add(m[1]);
  }
  const r = new Registry();
  collectDefaultMetrics({ register: r });
  for (const m of r.getMetricsAsArray()) names.add(m.name);
  return names;
}

describe('Grafana dashboard', () => {
  it('shows the flow: inbound rate, decisions by kind, denials, lag, agent turns', () => {
    expect(dashboard.uid).toBe('twokey-flow');
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
    for (const what of ['inbound', 'decisions', 'denials', 'lag', 'agent turns']) expect(titles).toContain(what);
  });

  it('queries only metrics the services expose', () => {
    const known = exposedMetricNames();
    expect(known.has('twokey_consumer_pending')).toBe(true);
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:twokey|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1])));
    expect(used.length).toBeGreaterThan(10);
    const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
    expect([...new Set(used)].filter((n) => !known.has(n) && !known.has(base(n)) && !FROM_AGENT_BRIDGE.has(n))).toEqual([]);
  });

  it('lays the panels out without overlap on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});
