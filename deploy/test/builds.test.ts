import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEPLOY_DIR, parseYamlDocuments, readText, REPO_ROOT } from './support.js';

interface Workflow {
  on: { push?: { branches?: string[] }; pull_request?: unknown };
  jobs: Record<string, { needs?: string | string[]; if?: string; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[]; strategy?: { matrix: { include: { image: string; dockerfile: string }[] } }; permissions?: Record<string, string> }>;
}

const workflow = YAML.parse(readText('.github/workflows/ci.yml')) as Workflow;
const matrix = workflow.jobs.images!.strategy!.matrix.include;
const compose = YAML.parse(readText('docker-compose.yml')) as { services: Record<string, { image?: string; build?: { dockerfile: string } }> };
/** image name -> Dockerfile, from docker-compose.yml (the reference list of deployables). */
const composeImages = new Map(
  Object.values(compose.services)
    .filter((s) => s.build)
    .map((s) => [s.image!.replace(/^.*\/([a-z-]+):.*$/, '$1'), s.build!.dockerfile]),
);
const kustomizeImages = new Set(
  [...readText('deploy/k8s/overlays/production/kustomization.yaml').matchAll(/name: pneumonia-triage\/([a-z-]+)/g)].map((m) => m[1]),
);

describe('GitHub Actions workflow', () => {
  it('tests every push and pull request with the project\'s CI script', () => {
    expect(workflow.on.push?.branches).toEqual(['main']);
    expect(workflow.on.pull_request).toBeDefined();
    expect(workflow.jobs.test!.steps.some((s) => s.run === 'bash .ci/run')).toBe(true);
  });

  it('builds and pushes every image on pushes to main, after the tests pass', () => {
    const images = workflow.jobs.images!;
    expect(images.needs).toBe('test');
    expect(images.if).toContain("github.ref == 'refs/heads/main'");
    expect(images.permissions?.packages).toBe('write');
    const build = images.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ context: '.', file: '${{ matrix.dockerfile }}', push: true });
    expect(new Map(matrix.map((m) => [m.image, m.dockerfile]))).toEqual(composeImages);
    for (const m of matrix) expect(existsSync(path.join(REPO_ROOT, m.dockerfile)), m.dockerfile).toBe(true);
  });

  it('builds exactly the images the Kubernetes overlays deploy', () => {
    expect(new Set(matrix.map((m) => m.image))).toEqual(kustomizeImages);
  });
});

describe('OpenShift builds', () => {
  it('has an ImageStream and a BuildConfig with the right Dockerfile for every image', () => {
    const objects = parseYamlDocuments(readFileSync(path.join(DEPLOY_DIR, 'openshift/buildconfigs.yaml'), 'utf8')) as { kind: string; apiVersion: string; metadata: { name: string }; spec: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const builds = objects.filter((o) => o.kind === 'BuildConfig');
    expect(new Map(builds.map((b) => [b.metadata.name, b.spec.strategy.dockerStrategy.dockerfilePath]))).toEqual(composeImages);
    for (const b of builds) {
      expect(b.apiVersion).toBe('build.openshift.io/v1');
      expect(b.spec.output.to).toEqual({ kind: 'ImageStreamTag', name: `${b.metadata.name}:main` });
      expect(objects.some((o) => o.kind === 'ImageStream' && o.metadata.name === b.metadata.name)).toBe(true);
      expect(b.spec.triggers.map((t: { type: string }) => t.type)).toContain('GitHub');
    }
  });

  it('has a Tekton pipeline that tests against PostgreSQL and NATS JetStream, then builds every image', () => {
    const objects = parseYamlDocuments(readFileSync(path.join(DEPLOY_DIR, 'openshift/tekton/pipeline.yaml'), 'utf8')) as { kind: string; apiVersion: string; metadata: { name: string }; spec: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const task = objects.find((o) => o.kind === 'Task')!;
    const pipeline = objects.find((o) => o.kind === 'Pipeline')!;
    expect(task.apiVersion).toBe('tekton.dev/v1');
    expect(task.spec.sidecars.map((s: { image: string }) => s.image).join()).toMatch(/postgres.*nats|nats.*postgres/);
    expect(task.spec.sidecars.find((s: { name: string }) => s.name === 'nats').args).toContain('-js');
    const byName = new Map(pipeline.spec.tasks.map((t: { name: string }) => [t.name, t]));
    expect([...byName.keys()]).toEqual(['clone', 'test', 'build']);
    expect((byName.get('test') as { taskRef: { name: string } }).taskRef.name).toBe(task.metadata.name);
    expect((byName.get('build') as { runAfter: string[] }).runAfter).toEqual(['test']);
    const entries = (byName.get('build') as { matrix: { include: { name: string; params: { name: string; value: string }[] }[] } }).matrix.include;
    expect(new Map(entries.map((e) => [e.name, e.params.find((p) => p.name === 'DOCKERFILE')!.value.replace(/^\.\//, '')]))).toEqual(composeImages);
    const triggers = parseYamlDocuments(readFileSync(path.join(DEPLOY_DIR, 'openshift/tekton/triggers.yaml'), 'utf8')) as { kind: string; spec: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const listener = triggers.find((t) => t.kind === 'EventListener')!;
    expect(JSON.stringify(listener.spec)).toContain("body.ref == 'refs/heads/main'");
    expect(triggers.find((t) => t.kind === 'TriggerTemplate')!.spec.resourcetemplates[0].spec.pipelineRef.name).toBe(pipeline.metadata.name);
  });
});
