// The subset of `kustomize build` that deploy/k8s uses, so the manifests can be tested without the binary:
// resources (files and kustomization folders), namespace, images, replicas, patches (JSON 6902 with a kind/name
// target, or strategic merge of maps and of lists keyed by `name`), secretGenerator from env files with
// disableNameSuffixHash. Anything else in a kustomization.yaml is refused, so the subset cannot silently diverge.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Resource extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string; labels?: Record<string, string> };
}

export interface RenderOptions {
  /** Read `<file>.example` instead of each secretGenerator env file: the committed templates, never real secrets. */
  envExamples?: boolean;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'images', 'replicas', 'patches', 'secretGenerator', 'generatorOptions']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function readDocs(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      return d.toJSON() as Resource | null;
    })
    .filter((d): d is Resource => d !== null);
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: Json;
}

function applyJson6902(doc: Resource, ops: PatchOp[], where: string): void {
  for (const o of ops) {
    const tokens = o.path.split('/').slice(1).map(unescapePointer);
    const last = tokens.pop()!;
    let parent: Json = doc;
    for (const t of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
      if (next === undefined) throw new Error(`${where}: path ${o.path} does not exist in ${doc.kind}/${doc.metadata.name}`);
      parent = next;
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (o.op === 'add') parent.splice(i, 0, structuredClone(o.value!));
      else if (o.op === 'replace') parent[i] = structuredClone(o.value!);
      else parent.splice(i, 1);
    } else if (isObject(parent)) {
      if (o.op !== 'add' && !(last in parent)) throw new Error(`${where}: ${o.op} of missing ${o.path} in ${doc.kind}/${doc.metadata.name}`);
      if (o.op === 'remove') delete parent[last];
      else parent[last] = structuredClone(o.value!);
    } else {
      throw new Error(`${where}: ${o.path} has no container in ${doc.kind}/${doc.metadata.name}`);
    }
  }
}

/** Maps merge, `null` deletes, lists of objects with `name` merge by name, other lists are replaced. */
export function strategicMerge(target: Json, patch: Json): Json {
  if (isObject(target) && isObject(patch)) {
    const out: JsonObject = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in target ? strategicMerge(target[k], v) : structuredClone(v);
    }
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch) && patch.every((p) => isObject(p) && typeof p.name === 'string')) {
    const out = target.map((t) => structuredClone(t));
    for (const p of patch as JsonObject[]) {
      const i = out.findIndex((t) => isObject(t) && t.name === p.name);
      if (i >= 0) out[i] = strategicMerge(out[i], p);
      else out.push(structuredClone(p));
    }
    return out;
  }
  return structuredClone(patch);
}

function parseEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`${file}: "${line}" is not KEY=value`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function matches(doc: Resource, target: JsonObject): boolean {
  return (!target.kind || target.kind === doc.kind) && (!target.name || target.name === doc.metadata.name);
}

function forEachContainer(doc: Resource, fn: (c: JsonObject) => void): void {
  const spec = (doc.spec as JsonObject | undefined)?.template as JsonObject | undefined;
  const podSpec = (spec?.spec ?? (doc.kind === 'Pod' ? doc.spec : undefined)) as JsonObject | undefined;
  for (const key of ['initContainers', 'containers']) {
    for (const c of (podSpec?.[key] as JsonObject[] | undefined) ?? []) fn(c);
  }
}

/** Splits `repo/name:tag` (registry ports and digests included) into name and tag/digest suffix. */
function splitImage(image: string): { name: string; suffix: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), suffix: image.slice(at) };
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? { name: image.slice(0, colon), suffix: image.slice(colon) } : { name: image, suffix: '' };
}

export function kustomizeBuild(dir: string, options: RenderOptions = {}): Resource[] {
  const file = path.join(dir, 'kustomization.yaml');
  const k = parseYaml(readFileSync(file, 'utf8')) as JsonObject;
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${file}: "${key}" is outside the tested kustomize subset`);

  const docs: Resource[] = [];
  for (const r of (k.resources as string[] | undefined) ?? []) {
    const p = path.join(dir, r);
    docs.push(...(statSync(p).isDirectory() ? kustomizeBuild(p, options) : readDocs(p)));
  }

  // Components (kind: Component) add their resources after the overlay's own, before its transformers run.
  for (const c of (k.components as string[] | undefined) ?? []) {
    const p = path.join(dir, c);
    const component = parseYaml(readFileSync(path.join(p, 'kustomization.yaml'), 'utf8')) as JsonObject;
    if (component.kind !== 'Component') throw new Error(`${file}: component ${c} is not a kind: Component`);
    docs.push(...kustomizeBuild(p, options));
  }

  const gen = (k.generatorOptions as JsonObject | undefined) ?? {};
  for (const g of (k.secretGenerator as JsonObject[] | undefined) ?? []) {
    if (gen.disableNameSuffixHash !== true) throw new Error(`${file}: secretGenerator without disableNameSuffixHash is outside the subset`);
    const stringData: Record<string, string> = {};
    for (const e of (g.envs as string[] | undefined) ?? []) {
      const p = path.join(dir, options.envExamples ? `${e}.example` : e);
      if (!existsSync(p)) throw new Error(`${file}: secretGenerator file ${p} does not exist`);
      Object.assign(stringData, parseEnvFile(p));
    }
    const data: JsonObject = {};
    for (const [key, v] of Object.entries(stringData)) data[key] = Buffer.from(v).toString('base64');
    docs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: g.name as string }, type: 'Opaque', data });
  }

  for (const p of (k.patches as JsonObject[] | undefined) ?? []) {
    const text = typeof p.path === 'string' ? readFileSync(path.join(dir, p.path), 'utf8') : (p.patch as string);
    const body = parseYaml(text) as Json;
    const where = `${file} patch`;
    if (Array.isArray(body)) {
      const target = p.target as JsonObject | undefined;
      if (!target) throw new Error(`${where}: a JSON 6902 patch needs a target`);
      const hits = docs.filter((d) => matches(d, target));
      if (!hits.length) throw new Error(`${where}: target ${JSON.stringify(target)} matches nothing`);
      for (const d of hits) applyJson6902(d, body as unknown as PatchOp[], where);
    } else {
      const b = body as Resource;
      const target = (p.target as JsonObject | undefined) ?? { kind: b.kind, name: b.metadata?.name };
      const i = docs.findIndex((d) => matches(d, target));
      if (i < 0) throw new Error(`${where}: target ${JSON.stringify(target)} matches nothing`);
      docs[i] = strategicMerge(docs[i], b) as Resource;
    }
  }

  for (const r of (k.replicas as JsonObject[] | undefined) ?? []) {
    const hits = docs.filter((d) => d.metadata.name === r.name && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(d.kind));
    if (!hits.length) throw new Error(`${file}: replicas for unknown workload ${r.name}`);
    for (const d of hits) (d.spec as JsonObject).replicas = r.count as number;
  }

  for (const img of (k.images as JsonObject[] | undefined) ?? []) {
    for (const d of docs) {
      forEachContainer(d, (c) => {
        const { name, suffix } = splitImage(c.image as string);
        if (name !== img.name) return;
        const tag = img.digest ? `@${img.digest}` : img.newTag ? `:${img.newTag}` : suffix;
        c.image = `${(img.newName as string | undefined) ?? name}${tag}`;
      });
    }
  }

  if (typeof k.namespace === 'string') {
    for (const d of docs) {
      if (d.kind === 'Namespace') d.metadata.name = k.namespace;
      else if (!CLUSTER_SCOPED.has(d.kind)) d.metadata.namespace = k.namespace;
    }
  }
  const seen = new Set<string>();
  for (const d of docs) {
    const id = `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  return docs;
}
