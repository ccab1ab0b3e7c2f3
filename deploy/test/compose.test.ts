import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEPLOY_DIR, missingBinaryNote, readText, readYaml, REPO_ROOT, run, which } from './support.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  ports?: string[];
}
type Compose = { services: Record<string, ComposeService> };

const scratch = mkdtempSync(path.join(tmpdir(), 'triage-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// merge: true resolves the `<<: *service-env` merge keys as docker compose does.
const compose = YAML.parse(readText('docker-compose.yml'), { merge: true }) as Compose;
const hospitals = Object.entries(compose.services).filter(([name]) => name.startsWith('hospital-'));
const seedHospitals = JSON.parse(compose.services.seed!.environment!.SEED_HOSPITALS!) as { slug: string; name: string; subgraphUrl: string }[];

describe.skipIf(!which('docker-compose'))(`docker-compose${which('docker-compose') ? '' : ` (${missingBinaryNote('docker-compose', 'docker-compose')})`}`, () => {
  it('accepts docker-compose.yml (docker-compose config exits 0)', () => {
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: REPO_ROOT });
    expect(result.status, result.stderr).toBe(0);
    const resolved = YAML.parse(result.stdout) as Compose;
    // Anchors and merges resolved: every hospital gets the shared service environment.
    for (const [name] of hospitals) expect(resolved.services[name]!.environment!.AUTH_JWKS_URL, name).toBe('http://directory:4001/.well-known/jwks.json');
  });

  it('rejects a broken compose file (the check can fail)', () => {
    const broken = path.join(scratch, 'broken.yml');
    writeFileSync(broken, 'services:\n  gateway:\n    depends_on:\n      nowhere: { condition: service_healthy }\n    image: x\n');
    expect(run('docker-compose', ['-f', broken, 'config', '-q']).status).not.toBe(0);
  });
});

describe('docker-compose.yml', () => {
  it('runs the whole system: infrastructure, every service, two hospitals, monitoring and the web app', () => {
    for (const service of ['postgres', 'nats', 'directory', 'triage', 'research', 'gateway', 'inference-worker', 'client', 'prometheus', 'grafana', 'nats-exporter', 'seed']) {
      expect(Object.keys(compose.services)).toContain(service);
    }
    expect(hospitals.length).toBeGreaterThanOrEqual(2);
    expect(compose.services.nats!.command).toContain('-js');
  });

  it('builds each platform image from its own Dockerfile', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect(readText(service.build.dockerfile), name).toContain('FROM');
    }
  });

  it('gives every long-running platform service a readiness health check and waits on it', () => {
    for (const name of ['directory', 'triage', 'research', 'gateway', 'inference-worker', ...hospitals.map(([n]) => n)]) {
      expect(compose.services[name]!.healthcheck, name).toBeDefined();
    }
    expect(compose.services.gateway!.depends_on!.directory!.condition).toBe('service_healthy');
  });

  it('wires each hospital container to a seeded hospital, its own database and a Prometheus target', () => {
    const databases = [...readText('deploy/compose/create-databases.sql').matchAll(/'(triage_[a-z_]+)'/g)].map((m) => m[1]);
    const prometheus = readYaml<{ scrape_configs: { job_name: string; static_configs?: { targets: string[]; labels?: Record<string, string> }[] }[] }>('deploy/prometheus/prometheus.yml');
    const targets = prometheus.scrape_configs.find((j) => j.job_name === 'hospital')!.static_configs!;
    const seenDatabases = new Set<string>();
    for (const [name, service] of hospitals) {
      const env = service.environment!;
      const seeded = seedHospitals.find((h) => h.slug === env.HOSPITAL_SLUG);
      expect(seeded, `${name}: HOSPITAL_SLUG ${env.HOSPITAL_SLUG} is not seeded`).toBeDefined();
      expect(seeded!.subgraphUrl).toBe(`http://${name}:${env.PORT}/graphql`);
      const database = new URL(env.DATABASE_URL!).pathname.slice(1);
      expect(databases, `${name}: ${database} is not created`).toContain(database);
      expect(seenDatabases.has(database), `${name} shares ${database}`).toBe(false);
      seenDatabases.add(database);
      const target = targets.find((t) => t.targets.includes(`${name}:${env.PORT}`));
      expect(target?.labels?.hospital, `${name} is not scraped with its hospital label`).toBe(env.HOSPITAL_SLUG);
    }
    expect(seedHospitals.length).toBe(hospitals.length);
  });

  it('points every service that verifies tokens at the directory issuer and its JWKS', () => {
    const issuer = compose.services.directory!.environment!.ISSUER_URL;
    for (const name of ['gateway', 'triage', 'research', ...hospitals.map(([n]) => n)]) {
      const env = compose.services[name]!.environment!;
      expect(env.AUTH_ISSUER, name).toBe(issuer);
      expect(env.AUTH_JWKS_URL, name).toBe(`${issuer}/.well-known/jwks.json`);
      expect(env.NATS_URL, name).toBe('nats://nats:4222');
    }
  });
});

describe('compose helpers', () => {
  it('start-hospital.mjs starts the subgraph with the id the seed gave its slug', () => {
    const app = path.join(scratch, 'hospital-app');
    mkdirSync(path.join(app, 'dist'), { recursive: true });
    writeFileSync(path.join(app, 'dist/main.js'), 'console.log(`started ${process.env.HOSPITAL_SLUG} ${process.env.HOSPITAL_ID}`);\n');
    const seedFile = path.join(scratch, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ hospitals: [{ id: 'a0e1', slug: 'st-marys', name: "St. Mary's" }, { id: 'b2c3', slug: 'general', name: 'General' }] }));
    const script = path.join(DEPLOY_DIR, 'compose/start-hospital.mjs');
    const ok = run('node', [script], { cwd: app, env: { ...process.env, SEED_FILE: seedFile, HOSPITAL_SLUG: 'general' } });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('started general b2c3');
    const missing = run('node', [script], { cwd: app, env: { ...process.env, SEED_FILE: seedFile, HOSPITAL_SLUG: 'north' } });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('"north" is not in');
  });

  it('seed.sh keeps the hospital ids for the hospitals and prints the demo passwords only once', () => {
    const app = path.join(scratch, 'directory-app');
    const seedDir = path.join(scratch, 'seed-volume');
    mkdirSync(path.join(app, 'dist'), { recursive: true });
    mkdirSync(seedDir, { recursive: true });
    // Stands in for the directory CLI: logs on stderr, one JSON line on stdout; users only on the first run.
    writeFileSync(
      path.join(app, 'dist/cli.js'),
      `const fs = require('fs'); const marker = ${JSON.stringify(path.join(scratch, 'seeded'))};
       const first = !fs.existsSync(marker); fs.writeFileSync(marker, '1');
       console.error('{"level":30,"msg":"applied migrations"}');
       const hospitals = JSON.parse(process.argv[4]).map((h, i) => ({ id: 'id-' + i, slug: h.slug, name: h.name }));
       console.log(JSON.stringify({ hospitals, users: first ? [{ email: 'doctor@demo.local', password: 'correct-horse' }] : [], apiKeys: [] }));`,
    );
    writeFileSync(path.join(app, 'package.json'), '{"type":"commonjs"}');
    const env = { ...process.env, SEED_DIR: seedDir, SEED_HOSPITALS: JSON.stringify(seedHospitals), DEMO_PASSWORD: '' };
    const first = run('sh', [path.join(DEPLOY_DIR, 'compose/seed.sh')], { cwd: app, env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('doctor@demo.local');
    expect(first.stdout).toContain('correct-horse');
    const seed = JSON.parse(readFileSync(path.join(seedDir, 'seed.json'), 'utf8'));
    expect(seed.hospitals.map((h: { slug: string }) => h.slug)).toEqual(seedHospitals.map((h) => h.slug));
    expect(statSync(path.join(seedDir, 'demo-credentials.json')).mode & 0o777).toBe(0o600);

    const second = run('sh', [path.join(DEPLOY_DIR, 'compose/seed.sh')], { cwd: app, env });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('correct-horse');
    expect(readFileSync(path.join(seedDir, 'demo-credentials.json'), 'utf8')).toContain('correct-horse');
  });
});
