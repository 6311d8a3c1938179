import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PAIRING_SERVICE_NODE_ARGS } from './runtime-options';

const repoRoot = path.resolve(__dirname, '../../..');

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
}

describe('pairing-service node options', () => {
  it('the Kubernetes Deployment runs the service with the options the benchmarks measure', () => {
    const docs = parseAllDocuments(readFileSync(path.join(repoRoot, 'deploy/k8s/base/pairing-service.yaml'), 'utf8')).map((d) => d.toJS());
    const deployment = docs.find((d) => d?.kind === 'Deployment' && d.metadata?.name === 'pairing-service');
    const containers: Container[] = deployment.spec.template.spec.containers;
    const main = containers.find((c) => c.name === 'pairing-service');
    expect(main?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(PAIRING_SERVICE_NODE_ARGS.join(' '));
  });
});
