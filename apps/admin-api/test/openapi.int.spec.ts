import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateOpenApiDocument, openApiText } from '../src/http/openapi-document';

const ROOT = path.resolve(__dirname, '../../..');
const SPEC = path.join(ROOT, 'docs/openapi.json');
const TYPES = path.join(ROOT, 'apps/admin-api/src/cli/api/openapi.ts');
const STALE = 'is stale: run `npm run openapi` and commit the result';

type Operation = { operationId?: string; summary?: string; responses: Record<string, { content?: Record<string, { schema: object }> }> };

describe('OpenAPI document', () => {
  it(`docs/openapi.json is what the routes generate (else it ${STALE})`, async () => {
    const text = openApiText(await generateOpenApiDocument());
    expect({ file: 'docs/openapi.json', upToDate: readFileSync(SPEC, 'utf8') === text }).toEqual({ file: 'docs/openapi.json', upToDate: true });
  });

  it(`the generated client types match docs/openapi.json (else apps/admin-api/src/cli/api/openapi.ts ${STALE})`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'twokey-openapi-'));
    try {
      const out = path.join(dir, 'openapi.ts');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), SPEC, '-o', out, '--root-types', '--alphabetize'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      expect(readFileSync(TYPES, 'utf8') === readFileSync(out, 'utf8')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every operation with a summary and a unique, explicit-looking operationId', () => {
    const doc = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, o]) => ({ where: `${m} ${p}`, ...o })));
    expect(ops.length).toBeGreaterThan(15);
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.filter((o) => !o.summary || !o.operationId || /_/.test(o.operationId)).map((o) => o.where)).toEqual([]);
  });

  it('writes problem+json and the stored-event envelope once, as components', () => {
    const text = readFileSync(SPEC, 'utf8');
    const doc = JSON.parse(text) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> }; paths: Record<string, Record<string, Operation>> };
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'StoredEvent', 'EventEnvelope']));
    const problems = Object.values(doc.paths).flatMap((m) => Object.values(m)).flatMap((o) => Object.values(o.responses)).map((r) => r.content?.['application/problem+json']?.schema).filter(Boolean);
    expect(problems.length).toBeGreaterThan(30);
    expect(problems.every((s) => JSON.stringify(s) === JSON.stringify({ $ref: '#/components/schemas/Problem' }))).toBe(true);
    expect(Object.keys(doc.components.schemas.EventEnvelope.properties ?? {})).toEqual(
      expect.arrayContaining(['eventId', 'schemaVersion', 'stream', 'streamVersion', 'position', 'occurredAt', 'correlationId', 'causationId', 'actor']),
    );
    expect(doc.paths['/api/v1/events'].get.responses['200'].content?.['application/x-ndjson'].schema).toEqual({ $ref: '#/components/schemas/StoredEvent' });
  });
});
