/**
 * Validate the Kubernetes manifests in deploy/k8s/ without a cluster:
 *
 *  - schema: every document against the Kubernetes OpenAPI schemas that `kubernetes-models`
 *    ships compiled (types, required fields, enums, int-or-string…). Those schemas allow unknown
 *    fields, as the API server does without strict field validation, so a misspelt optional
 *    field is not caught here;
 *  - our rules: each service has a Deployment, a Service and a PodDisruptionBudget; probes on
 *    /healthz (liveness, startup) and /readyz (readiness); CPU and memory requests and a memory
 *    limit; non-root, read-only root filesystem; the single writers (audit-store, merkle-anchor)
 *    run one replica with the Recreate strategy; kustomization.yaml lists every file.
 *
 * Usage: npx tsx tools/deploy/validate-k8s.ts [dir]   (exit 1 and one line per problem)
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';

/** A model class of kubernetes-models: constructed from plain data, `validate()` throws. */
type ModelClass = new (data: never) => { validate(): void };
const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap as ModelClass,
  'v1/Secret': Secret as ModelClass,
  'v1/Service': Service as ModelClass,
  'apps/v1/Deployment': Deployment as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as ModelClass,
};

export const meshServices = [
  'gateway',
  'quota',
  'policy-judge',
  'ml-scorer',
  'audit-store',
  'merkle-anchor',
] as const;
const singleWriters = new Set(['audit-store', 'merkle-anchor']);

/** The fields of a manifest this file reads (the schema check covers the rest). */
interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    replicas?: number;
    strategy?: { type?: string };
    template?: {
      spec?: { securityContext?: { runAsNonRoot?: boolean }; containers?: Container[] };
    };
  };
}
interface Probe {
  httpGet?: { path?: string };
}
interface Container {
  resources?: { requests?: { cpu?: unknown; memory?: unknown }; limits?: { memory?: unknown } };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}

export interface LoadedManifest {
  file: string;
  doc: Manifest;
}

/** Parse every YAML document of every manifest file (kustomization.yaml excluded). */
export function loadManifests(dir: string): { manifests: LoadedManifest[]; problems: string[] } {
  const manifests: LoadedManifest[] = [];
  const problems: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort()) {
    for (const document of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      if (document.errors.length > 0) {
        problems.push(...document.errors.map((e) => `${file}: YAML: ${e.message}`));
        continue;
      }
      const doc = document.toJS() as Manifest | null;
      if (doc) manifests.push({ file, doc });
    }
  }
  return { manifests, problems };
}

/** Schema problems of one manifest (empty when valid). */
export function schemaProblems({ file, doc }: LoadedManifest): string[] {
  const key = `${doc.apiVersion}/${doc.kind}`;
  const Model = models[key];
  if (!Model) return [`${file}: ${key}: no schema here for this kind`];
  try {
    new Model(doc as never).validate();
    return [];
  } catch (err) {
    return [`${file}: ${doc.kind} ${doc.metadata?.name}: ${(err as Error).message}`];
  }
}

/** The project's rules over the whole set (see the file comment). */
export function ruleProblems(
  manifests: readonly LoadedManifest[],
  kustomizationResources: readonly string[],
): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) =>
    manifests.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name)?.doc;
  for (const name of meshServices) {
    const deployment = find('Deployment', name);
    if (!deployment) {
      problems.push(`${name}: no Deployment`);
      continue;
    }
    if (!find('Service', name)) problems.push(`${name}: no Service`);
    if (!find('PodDisruptionBudget', name)) problems.push(`${name}: no PodDisruptionBudget`);
    const pod = deployment.spec?.template?.spec;
    if (pod?.securityContext?.runAsNonRoot !== true)
      problems.push(`${name}: runAsNonRoot is not true`);
    for (const c of pod?.containers ?? []) {
      if (c.livenessProbe?.httpGet?.path !== '/healthz')
        problems.push(`${name}: liveness probe is not /healthz`);
      if (c.startupProbe?.httpGet?.path !== '/healthz')
        problems.push(`${name}: startup probe is not /healthz`);
      if (c.readinessProbe?.httpGet?.path !== '/readyz')
        problems.push(`${name}: readiness probe is not /readyz`);
      if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
        problems.push(`${name}: no CPU/memory requests`);
      if (!c.resources?.limits?.memory) problems.push(`${name}: no memory limit`);
      if (c.securityContext?.readOnlyRootFilesystem !== true)
        problems.push(`${name}: root filesystem is writable`);
      if (c.securityContext?.allowPrivilegeEscalation !== false)
        problems.push(`${name}: privilege escalation allowed`);
    }
    if (singleWriters.has(name)) {
      if (deployment.spec?.replicas !== 1)
        problems.push(`${name}: a single writer must run 1 replica`);
      if (deployment.spec?.strategy?.type !== 'Recreate')
        problems.push(`${name}: a single writer must use the Recreate strategy`);
    }
  }
  const files = [...new Set(manifests.map((m) => m.file))];
  for (const file of files) {
    if (!kustomizationResources.includes(file))
      problems.push(`kustomization.yaml does not list ${file}`);
  }
  return problems;
}

/** Every problem of the manifests in `dir`. */
export function validateK8sDir(dir: string): string[] {
  const { manifests, problems } = loadManifests(dir);
  const kustomization = parseAllDocuments(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as { resources?: string[] } | undefined;
  return [
    ...problems,
    ...manifests.flatMap(schemaProblems),
    ...ruleProblems(manifests, kustomization?.resources ?? []),
  ];
}

const isMain =
  process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const dir = path.resolve(process.argv[2] ?? 'deploy/k8s');
  const problems = validateK8sDir(dir);
  for (const p of problems) process.stdout.write(`FAIL ${p}\n`);
  const count = loadManifests(dir).manifests.length;
  process.stdout.write(
    problems.length === 0 ? `OK ${count} manifests in ${dir}\n` : `${problems.length} problem(s)\n`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}
