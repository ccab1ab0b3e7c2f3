import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ingressAllowed, isCustomResource, podsOf, selects, validateBuiltIn, validateCustom, type K8sObject, type Pod } from './k8s-validate.js';
import { DEPLOY_DIR, missingBinaryNote, parseYamlDocuments, ruleFiles, run, which } from './support.js';

const K8S = path.join(DEPLOY_DIR, 'k8s');
const overlays = readdirSync(path.join(K8S, 'overlays'));
const hospitalOverlays = readdirSync(path.join(K8S, 'hospitals'));
const kubectl = which('kubectl');

function render(dir: string): K8sObject[] {
  const result = run('kubectl', ['kustomize', dir], { cwd: K8S });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseYamlDocuments(result.stdout) as unknown as K8sObject[];
}

const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const podSpec = (o: K8sObject) => o.spec.template.spec;

describe.skipIf(!kubectl)(`Kubernetes manifests${kubectl ? '' : ` (${missingBinaryNote('kubectl', 'kubectl (kustomize)')})`}`, () => {
  const rendered: Record<string, K8sObject[]> = {};
  beforeAll(() => {
    for (const overlay of overlays) rendered[overlay] = render(`overlays/${overlay}`);
    for (const hospital of hospitalOverlays) rendered[`hospitals/${hospital}`] = render(`hospitals/${hospital}`);
  });

  it('has the dev, production and openshift overlays and an overlay per hospital', () => {
    expect(overlays).toEqual(expect.arrayContaining(['dev', 'production', 'openshift']));
    expect(hospitalOverlays.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(overlays)('overlays/%s', (overlay) => {
    const objects = () => rendered[overlay]!;

    it('renders, with unique object names', () => {
      const ids = objects().map(id);
      expect(ids.length).toBeGreaterThan(30);
      expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
    });

    it('validates every built-in object against the Kubernetes schemas (kubernetes-models)', async () => {
      const problems: string[] = [];
      for (const o of objects().filter((x) => !isCustomResource(x))) {
        for (const p of await validateBuiltIn(o)) problems.push(`${id(o)}: ${p}`);
      }
      expect(problems).toEqual([]);
    });

    it('validates the custom resources (CloudNativePG Cluster, PodMonitor, PrometheusRule, Route) against their required fields', () => {
      const problems = objects()
        .filter(isCustomResource)
        .flatMap((o) => validateCustom(o, objects()).map((p) => `${id(o)}: ${p}`));
      expect(problems).toEqual([]);
    });

    it('puts every namespaced object in a namespace the overlay creates (or the monitoring stack\'s)', () => {
      const namespaces = new Set(objects().filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
      for (const o of objects().filter((x) => x.kind !== 'Namespace')) {
        expect(o.metadata.namespace, id(o)).toBeDefined();
        if (o.metadata.namespace !== 'monitoring') expect(namespaces, id(o)).toContain(o.metadata.namespace);
      }
    });

    it('runs every container unprivileged, read-only, with resources and probes', () => {
      for (const w of workloads(objects())) {
        const spec = podSpec(w);
        expect(spec.securityContext?.runAsNonRoot, id(w)).toBe(true);
        expect(spec.automountServiceAccountToken, id(w)).toBe(false);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          const where = `${id(w)} ${c.name}`;
          expect(c.securityContext, where).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
          expect(c.resources?.requests?.memory, where).toBeDefined();
          expect(c.resources?.limits?.memory, where).toBeDefined();
        }
        for (const c of spec.containers.filter((x: { name: string }) => x.name !== 'exporter')) {
          expect(c.livenessProbe, `${id(w)} ${c.name}`).toBeDefined();
          expect(c.readinessProbe, `${id(w)} ${c.name}`).toBeDefined();
        }
      }
    });

    /** Secrets a cluster operator creates per hospital namespace before deploying (never in git). */
    const PLATFORM_SECRETS: Record<string, string[]> = { 'hospital-secrets': ['deid-secret'] };

    it('has no dangling references: selectors, HPA targets, ConfigMaps, Secrets, ports', () => {
      const all = objects();
      const pods = podsOf(all);
      const inNs = (ns: string | undefined) => (p: Pod) => p.namespace === ns;
      for (const w of workloads(all)) {
        expect(selects(w.spec.selector, w.spec.template.metadata.labels), `${id(w)} selector does not match its pods`).toBe(true);
        for (const c of [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers]) {
          for (const source of c.envFrom ?? []) {
            if (source.configMapRef && !source.configMapRef.optional) {
              expect(all.some((o) => o.kind === 'ConfigMap' && o.metadata.namespace === w.metadata.namespace && o.metadata.name === source.configMapRef.name), `${id(w)}: ConfigMap ${source.configMapRef.name}`).toBe(true);
            }
            if (source.secretRef) expect(source.secretRef.optional, `${id(w)}: Secret ${source.secretRef.name} comes from the platform and must be optional`).toBe(true);
          }
          for (const e of c.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef;
            if (!ref) continue;
            // Required secrets the platform must provide (documented in docs/OPERATIONS.md).
            if (PLATFORM_SECRETS[ref.name]?.includes(ref.key)) continue;
            // CloudNativePG creates <cluster>-app with a `uri` key for each Cluster.
            const cluster = ref.name.replace(/-app$/, '');
            expect(all.some((o) => o.kind === 'Cluster' && o.metadata.namespace === w.metadata.namespace && o.metadata.name === cluster) && ref.key === 'uri', `${id(w)}: Secret ${ref.name}/${ref.key}`).toBe(true);
          }
        }
        for (const v of podSpec(w).volumes ?? []) {
          if (v.configMap) expect(all.some((o) => o.kind === 'ConfigMap' && o.metadata.namespace === w.metadata.namespace && o.metadata.name === v.configMap.name), `${id(w)}: volume ${v.name}`).toBe(true);
        }
      }
      for (const s of all.filter((o) => o.kind === 'Service')) {
        const matched = pods.filter(inNs(s.metadata.namespace)).filter((p) => selects({ matchLabels: s.spec.selector }, p.labels));
        expect(matched.length, `${id(s)} selects no pods`).toBeGreaterThan(0);
        const workload = all.find((o) => `${o.kind}/${o.metadata.name}` === matched[0]!.owner && o.metadata.namespace === s.metadata.namespace)!;
        const portNames = podSpec(workload).containers.flatMap((c: { ports?: { name: string }[] }) => (c.ports ?? []).map((p) => p.name));
        for (const p of s.spec.ports) expect(portNames, `${id(s)} targetPort ${p.targetPort}`).toContain(p.targetPort);
      }
      for (const pdb of all.filter((o) => o.kind === 'PodDisruptionBudget')) {
        expect(pods.filter(inNs(pdb.metadata.namespace)).some((p) => selects(pdb.spec.selector, p.labels)), `${id(pdb)} selects no pods`).toBe(true);
      }
      for (const hpa of all.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
        const target = hpa.spec.scaleTargetRef;
        expect(all.some((o) => o.kind === target.kind && o.metadata.name === target.name && o.metadata.namespace === hpa.metadata.namespace), id(hpa)).toBe(true);
      }
      for (const pm of all.filter((o) => o.kind === 'PodMonitor')) {
        const matched = pods.filter(inNs(pm.metadata.namespace)).filter((p) => selects(pm.spec.selector, p.labels));
        expect(matched.length, `${id(pm)} selects no pods`).toBeGreaterThan(0);
      }
    });

    it('uses images from the overlay\'s registry with a tag (never the unqualified base names)', () => {
      for (const w of workloads(objects())) {
        for (const c of [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers]) {
          expect(c.image, `${id(w)} ${c.name}`).toMatch(/^[a-z0-9.-]+(:\d+)?\/.+:[\w.-]+$|^(nats|natsio\/[a-z-]+):[\w.-]+$/);
        }
      }
    });

    it('runs a 3-node NATS JetStream cluster routed through its headless Service', () => {
      const nats = objects().find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!;
      expect(nats.spec.replicas).toBe(3);
      const headless = objects().find((o) => o.kind === 'Service' && o.metadata.name === nats.spec.serviceName)!;
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      const config = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'))!.data!['nats.conf']!;
      expect(config).toMatch(/jetstream\s*\{/);
      for (let i = 0; i < 3; i++) expect(config).toContain(`nats://nats-${i}.${nats.spec.serviceName}:6222`);
      expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    });

    it('deploys one hospital subgraph and one database per hospital, each in its own namespace', () => {
      const hospitals = objects().filter((o) => o.kind === 'Deployment' && o.metadata.name === 'hospital');
      expect(hospitals.length).toBe(hospitalOverlays.length);
      const ids = new Set<string>();
      for (const h of hospitals) {
        const ns = h.metadata.namespace!;
        const slug = h.spec.template.metadata.labels['triage.io/hospital'];
        expect(ns).toBe(`triage-hospital-${slug}`);
        const config = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name.startsWith('hospital-config'))!;
        expect(config.data!.HOSPITAL_SLUG).toBe(slug);
        expect(config.data!.HOSPITAL_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        ids.add(config.data!.HOSPITAL_ID!);
        expect(objects().filter((o) => o.kind === 'Cluster' && o.metadata.namespace === ns).map((o) => o.metadata.name)).toEqual(['hospital-db']);
      }
      expect(ids.size).toBe(hospitals.length);
    });

    it('keeps the subgraphs reachable only from the gateway, and each hospital database only from its hospital', () => {
      const all = objects();
      const pods = podsOf(all);
      const pod = (ns: string, name: string) => {
        const found = pods.find((p) => p.namespace === ns && p.labels['app.kubernetes.io/name'] === name);
        if (!found) throw new Error(`no ${name} pod in ${ns}`);
        return found;
      };
      const hospitalNamespaces = [...new Set(pods.filter((p) => p.labels['app.kubernetes.io/name'] === 'hospital').map((p) => p.namespace))];
      const [a, b] = hospitalNamespaces as [string, string];
      const gateway = pod('triage', 'gateway');
      const outsider: { namespace: string; labels: Record<string, string> } = { namespace: 'default', labels: { app: 'curious' } };
      for (const [name, port] of [['triage', 4002], ['research', 4003], ['directory', 4001]] as const) {
        expect(ingressAllowed(all, gateway, pod('triage', name), port), `gateway -> ${name}`).toBe(true);
        expect(ingressAllowed(all, outsider, pod('triage', name), port), `outsider -> ${name}`).toBe(false);
      }
      for (const name of ['triage', 'research']) {
        for (const from of [pod('triage', 'client'), pod('triage', 'inference-worker'), pod(a, 'hospital')]) {
          expect(ingressAllowed(all, from, pod('triage', name), name === 'triage' ? 4002 : 4003), `${from.labels['app.kubernetes.io/name']} -> ${name}`).toBe(false);
        }
      }
      for (const ns of hospitalNamespaces) {
        const hospital = pod(ns, 'hospital');
        expect(ingressAllowed(all, gateway, hospital, 4101), `gateway -> ${ns}`).toBe(true);
        for (const from of [pod('triage', 'client'), pod('triage', 'triage'), pod('triage', 'inference-worker'), outsider]) {
          expect(ingressAllowed(all, from, hospital, 4101), `${from.namespace}/${from.labels['app.kubernetes.io/name'] ?? 'pod'} -> ${ns}`).toBe(false);
        }
        // A gateway-looking pod in another namespace is not the gateway.
        expect(ingressAllowed(all, { namespace: 'default', labels: gateway.labels }, hospital, 4101)).toBe(false);
      }
      expect(ingressAllowed(all, pod(a, 'hospital'), pod(b, 'hospital'), 4101), 'hospital -> another hospital').toBe(false);
      expect(ingressAllowed(all, pod(a, 'hospital'), pod(a, 'postgres'), 5432), 'hospital -> its database').toBe(true);
      expect(ingressAllowed(all, pod(a, 'hospital'), pod(b, 'postgres'), 5432), 'hospital -> another hospital\'s database').toBe(false);
      expect(ingressAllowed(all, gateway, pod(a, 'postgres'), 5432), 'gateway -> a hospital database').toBe(false);
      expect(ingressAllowed(all, pod(a, 'hospital'), pod('triage', 'nats'), 4222), 'hospital -> NATS').toBe(true);
    });
  });

  it('production scales gateway and workers horizontally, the worker on JetStream consumer lag', () => {
    const objects = rendered.production!;
    const gatewayHpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'gateway')!;
    expect(gatewayHpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const workerHpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'inference-worker')!;
    const external = workerHpa.spec.metrics.find((m: { type: string }) => m.type === 'External');
    expect(external.external.metric).toEqual({ name: 'nats_consumer_pending_messages', selector: { matchLabels: { consumer_name: 'inference-worker' } } });
    expect(external.external.target.type).toBe('AverageValue');
    // The adapter rule that serves that metric ships with the monitoring component.
    const adapter = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-adapter-triage-rules')!;
    expect(YAML.parse(adapter.data!['triage-rules.yaml']!).externalRules[0].name.as).toBe('nats_consumer_pending_messages');
    for (const cluster of objects.filter((o) => o.kind === 'Cluster')) expect(cluster.spec.instances, id(cluster)).toBe(3);
  });

  it('production ships the same alert rules as deploy/prometheus/rules', () => {
    const rule = rendered.production!.find((o) => o.kind === 'PrometheusRule')!;
    const groups = Object.values(ruleFiles()).flatMap((f) => f.groups);
    expect(rule.spec.groups).toEqual(groups);
  });

  it('openshift exposes the web app and the API through edge-terminated Routes and drops fixed UIDs', () => {
    const objects = rendered.openshift!;
    const routes = objects.filter((o) => o.kind === 'Route');
    expect(routes.map((r) => r.spec.to.name).sort()).toEqual(['client', 'gateway']);
    for (const r of routes) expect(r.spec.tls.termination).toBe('edge');
    for (const w of workloads(objects)) {
      expect(podSpec(w).securityContext.runAsUser, id(w)).toBeUndefined();
      expect(podSpec(w).securityContext.fsGroup, id(w)).toBeUndefined();
    }
    // Only the router reaches the entry points; user workload monitoring reaches /metrics.
    const pods = podsOf(objects);
    const gateway = pods.find((p) => p.labels['app.kubernetes.io/name'] === 'gateway')!;
    const hospital = pods.find((p) => p.labels['app.kubernetes.io/name'] === 'hospital')!;
    const extra = {
      'openshift-ingress': { 'network.openshift.io/policy-group': 'ingress' },
      'openshift-user-workload-monitoring': { 'network.openshift.io/policy-group': 'monitoring' },
    };
    expect(ingressAllowed(objects, { namespace: 'openshift-ingress', labels: {} }, gateway, 4000, extra)).toBe(true);
    expect(ingressAllowed(objects, { namespace: 'default', labels: {} }, gateway, 4000, extra)).toBe(false);
    expect(ingressAllowed(objects, { namespace: 'openshift-user-workload-monitoring', labels: {} }, hospital, 4101, extra)).toBe(true);
  });

  it('dev needs neither the Prometheus Operator nor prometheus-adapter', () => {
    const objects = rendered.dev!;
    expect(objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
    const workerHpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'inference-worker')!;
    expect(workerHpa.spec.metrics.map((m: { type: string }) => m.type)).toEqual(['Resource']);
  });

  it('rejects invalid objects (the validation can fail)', async () => {
    const deployment = structuredClone(rendered.production!.find((o) => o.kind === 'Deployment')!);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect((await validateBuiltIn(deployment)).join()).toMatch(/containerPort must be integer/);
    const cluster = structuredClone(rendered.production!.find((o) => o.kind === 'Cluster')!);
    delete cluster.spec.bootstrap;
    expect(validateCustom(cluster, [])).toContain('spec.bootstrap.initdb.database is required');
    expect(await validateBuiltIn({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toEqual(['unknown kind apps/v1 Deploymnet']);
  });
});
