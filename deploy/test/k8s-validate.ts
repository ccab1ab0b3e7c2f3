import { createRequire } from 'node:module';

/**
 * Offline validation of rendered Kubernetes objects: built-in kinds against the Kubernetes OpenAPI
 * schemas (kubernetes-models), custom resources (CloudNativePG, Prometheus Operator, OpenShift)
 * against the fields their operators require, plus the cross-object references a cluster would
 * only report at run time (a Service selecting nothing, a Secret that is never created...).
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

type ModelClass = new (data: unknown) => { validate(): void };

const requireFromHere = createRequire(import.meta.url);
/** kubernetes-models is a devDependency of @triage/deploy; say so plainly when it is missing. */
export function assertKubernetesModels(): void {
  try {
    requireFromHere.resolve('kubernetes-models/package.json');
  } catch {
    throw new Error('kubernetes-models is not installed: npm install -D -w @triage/deploy kubernetes-models@^4.5.1');
  }
}

const CUSTOM_GROUPS = ['postgresql.cnpg.io/', 'monitoring.coreos.com/', 'route.openshift.io/'];
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;

export const isCustomResource = (o: K8sObject) => CUSTOM_GROUPS.some((g) => o.apiVersion.startsWith(g));

/** Validates a built-in object with its kubernetes-models class; returns the problems. */
export async function validateBuiltIn(object: K8sObject): Promise<string[]> {
  assertKubernetesModels();
  let module: Record<string, unknown>;
  try {
    module = (await import(/* @vite-ignore */ `kubernetes-models/${object.apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`unknown apiVersion ${object.apiVersion}`];
  }
  const Model = module[object.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`unknown kind ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Required fields of the custom resources we use, as their CRDs define them. */
export function validateCustom(object: K8sObject, all: K8sObject[]): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  const spec = object.spec ?? {};
  need(DNS_1123.test(object.metadata.name), `metadata.name "${object.metadata.name}" is not a DNS-1123 name`);
  need(object.metadata.namespace, 'metadata.namespace is missing');
  switch (`${object.apiVersion} ${object.kind}`) {
    case 'postgresql.cnpg.io/v1 Cluster':
      need(Number.isInteger(spec.instances) && spec.instances >= 1, 'spec.instances must be an integer >= 1');
      need(typeof spec.storage?.size === 'string' && QUANTITY.test(spec.storage.size), 'spec.storage.size must be a quantity');
      need(typeof spec.bootstrap?.initdb?.database === 'string', 'spec.bootstrap.initdb.database is required');
      need(typeof spec.bootstrap?.initdb?.owner === 'string', 'spec.bootstrap.initdb.owner is required');
      need(typeof spec.imageName === 'string' && spec.imageName.includes(':'), 'spec.imageName must name a tagged image');
      need(['unsupervised', 'supervised', undefined].includes(spec.primaryUpdateStrategy), 'spec.primaryUpdateStrategy is invalid');
      break;
    case 'monitoring.coreos.com/v1 PodMonitor':
      need(spec.selector && typeof spec.selector === 'object', 'spec.selector is required');
      need(Array.isArray(spec.podMetricsEndpoints) && spec.podMetricsEndpoints.length > 0, 'spec.podMetricsEndpoints is required');
      for (const e of spec.podMetricsEndpoints ?? []) need(typeof e.port === 'string', 'every podMetricsEndpoint names a port');
      break;
    case 'monitoring.coreos.com/v1 PrometheusRule':
      need(Array.isArray(spec.groups) && spec.groups.length > 0, 'spec.groups is required');
      for (const g of spec.groups ?? []) {
        need(typeof g.name === 'string', 'every group has a name');
        for (const r of g.rules ?? []) need((r.alert || r.record) && typeof r.expr === 'string', `rule in ${g.name} needs alert|record and expr`);
      }
      break;
    case 'route.openshift.io/v1 Route': {
      need(spec.to?.kind === 'Service' && typeof spec.to?.name === 'string', 'spec.to must name a Service');
      const service = all.find((o) => o.kind === 'Service' && o.metadata.name === spec.to?.name && o.metadata.namespace === object.metadata.namespace);
      need(service, `spec.to: Service ${spec.to?.name} does not exist in ${object.metadata.namespace}`);
      const portNames = (service?.spec?.ports ?? []).map((p: { name?: string; port: number }) => p.name ?? p.port);
      need(portNames.includes(spec.port?.targetPort), `spec.port.targetPort ${spec.port?.targetPort} is not a port of Service ${spec.to?.name}`);
      need(!spec.host || DNS_1123.test(spec.host), 'spec.host is not a DNS name');
      need(!spec.tls || ['edge', 'passthrough', 'reencrypt'].includes(spec.tls.termination), 'spec.tls.termination is invalid');
      need(!spec.tls?.insecureEdgeTerminationPolicy || ['Allow', 'Redirect', 'None'].includes(spec.tls.insecureEdgeTerminationPolicy), 'spec.tls.insecureEdgeTerminationPolicy is invalid');
      break;
    }
    default:
      problems.push(`no validator for ${object.apiVersion} ${object.kind}`);
  }
  return problems;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const value = labels[e.key];
    if (e.operator === 'In' && !(value !== undefined && e.values?.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && e.values?.includes(value)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
  owner: string;
}

/** The pods the workloads (and the CloudNativePG clusters) would create. */
export function podsOf(objects: K8sObject[]): Pod[] {
  const pods: Pod[] = [];
  for (const o of objects) {
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      pods.push({ namespace: o.metadata.namespace!, labels: o.spec.template.metadata.labels ?? {}, owner: `${o.kind}/${o.metadata.name}` });
    }
    if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) {
      pods.push({
        namespace: o.metadata.namespace!,
        labels: { ...(o.spec.inheritedMetadata?.labels ?? {}), 'cnpg.io/cluster': o.metadata.name },
        owner: `Cluster/${o.metadata.name}`,
      });
    }
  }
  return pods;
}

/** Labels of a namespace: those rendered, plus the one Kubernetes sets on every namespace. */
export function namespaceLabels(objects: K8sObject[], namespace: string, extra: Record<string, Record<string, string>> = {}): Record<string, string> {
  const rendered = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  return { ...(rendered?.metadata.labels ?? {}), ...(extra[namespace] ?? {}), 'kubernetes.io/metadata.name': namespace };
}

/**
 * Whether NetworkPolicies let a pod reach another on a TCP port (ingress rules only, as the
 * manifests isolate ingress): a pod no policy selects accepts everything; otherwise some rule of a
 * policy that selects it must admit the source and the port.
 */
export function ingressAllowed(
  objects: K8sObject[],
  from: { namespace: string; labels: Record<string, string> },
  to: { namespace: string; labels: Record<string, string> },
  port: number,
  extraNamespaceLabels: Record<string, Record<string, string>> = {},
): boolean {
  const policies = objects.filter(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      o.metadata.namespace === to.namespace &&
      selects(o.spec.podSelector, to.labels) &&
      (o.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (policies.length === 0) return true;
  const fromNamespaceLabels = namespaceLabels(objects, from.namespace, extraNamespaceLabels);
  return policies.some((policy) =>
    (policy.spec.ingress ?? []).some((rule: { ports?: { port?: number }[]; from?: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector }[] }) => {
      const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => p.port === undefined || p.port === port);
      if (!portOk) return false;
      if (!rule.from || rule.from.length === 0) return true;
      return rule.from.some((peer) => {
        if (peer.namespaceSelector) {
          if (!selects(peer.namespaceSelector, fromNamespaceLabels)) return false;
          return peer.podSelector ? selects(peer.podSelector, from.labels) : true;
        }
        if (peer.podSelector) return from.namespace === to.namespace && selects(peer.podSelector, from.labels);
        return false;
      });
    }),
  );
}
