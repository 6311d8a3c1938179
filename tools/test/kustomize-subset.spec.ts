// The kustomize subset the manifest tests render with must behave like kustomize where deploy/k8s relies on it.
import { strategicMerge, type Json } from './support/kustomize';

describe('strategic merge (kustomize semantics for the fields we patch)', () => {
  const deployment: Json = {
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 's:1' },
          ],
          affinity: { podAntiAffinity: { preferred: [1] } },
        },
      },
    },
  };

  it('merges maps, merges lists of named items by name, and deletes keys set to null', () => {
    const patched = strategicMerge(deployment, {
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }], affinity: null } },
      },
    });
    expect(patched).toEqual({
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }] },
              { name: 'sidecar', image: 's:1' },
            ],
          },
        },
      },
    });
  });

  it('replaces lists of plain values and leaves the original untouched', () => {
    const before = JSON.stringify(deployment);
    const patched = strategicMerge({ args: ['a', 'b'] }, { args: ['c'] });
    expect(patched).toEqual({ args: ['c'] });
    strategicMerge(deployment, { spec: { template: { spec: { containers: [{ name: 'app', image: 'a:2' }] } } } });
    expect(JSON.stringify(deployment)).toBe(before);
  });
});
