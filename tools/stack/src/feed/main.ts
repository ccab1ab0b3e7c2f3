import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_NPZ } from '@triage/model';
import { DEMO_HOSPITALS, REPO_ROOT } from '../env.js';
import { runFeeder, type FeederHospital } from './feeder.js';
import { ensureNpz, folderSource, npzSource } from './sources.js';

const USAGE = `npm run feed -- [options]
  --rate <n>             uploads per second across all hospitals (default 2)
  --hospitals <all|a,b>  hospital slugs to act for (default all)
  --count <n>            stop after n uploads (default: run until Ctrl+C)
  --pneumonia <share>    share of pneumonia images (default 0.2)
  --source <dir|file>    a folder of images (labels from NORMAL/PNEUMONIA folders) or a PneumoniaMNIST .npz
                         (default: ../shared/data/xray-samples if present, else the .npz test split)
  --gateway <url>        gateway base URL (default http://127.0.0.1:4000)
  --password <pw>        technicians' password (default DEMO_PASSWORD or .data/demo-credentials.json)`;

async function main() {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '2' },
      hospitals: { type: 'string', default: 'all' },
      count: { type: 'string' },
      pneumonia: { type: 'string', default: '0.2' },
      source: { type: 'string' },
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000' },
      password: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const rate = Number(values.rate);
  const share = Number(values.pneumonia);
  if (!(rate > 0) || !(share >= 0 && share <= 1)) throw new Error(`--rate must be > 0 and --pneumonia within [0, 1]\n${USAGE}`);

  const credentialsFile = path.join(process.env.DATA_DIR ?? path.join(REPO_ROOT, '.data'), 'demo-credentials.json');
  const saved = existsSync(credentialsFile)
    ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { users: { email: string; password: string }[] })
    : undefined;
  const passwordOf = (email: string) =>
    values.password ?? process.env.DEMO_PASSWORD ?? saved?.users.find((u) => u.email === email)?.password;

  const slugs =
    values.hospitals === 'all'
      ? (saved?.users.map((u) => /^tech\.(.+)@demo\.local$/.exec(u.email)?.[1]).filter((s): s is string => !!s) ??
        DEMO_HOSPITALS.map((h) => h.slug))
      : values.hospitals.split(',').map((s) => s.trim());

  const hospitals: FeederHospital[] = [];
  for (const slug of slugs) {
    const email = `tech.${slug}@demo.local`;
    const password = passwordOf(email);
    if (!password) throw new Error(`no password for ${email}: pass --password or set DEMO_PASSWORD`);
    const res = await fetch(`${values.gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { token user { memberships { hospital { id slug } role } } } }',
        variables: { e: email, p: password },
      }),
    });
    const body = (await res.json()) as {
      data?: { login: { token: string; user: { memberships: { hospital: { id: string; slug: string }; role: string }[] } } };
      errors?: { message: string }[];
    };
    if (!body.data) throw new Error(`login as ${email} failed: ${body.errors?.[0]?.message ?? res.status}`);
    const membership = body.data.login.user.memberships.find((m) => m.hospital.slug === slug);
    if (!membership) throw new Error(`${email} has no membership at ${slug}`);
    hospitals.push({ id: membership.hospital.id, slug, token: body.data.login.token });
  }

  const samples = path.resolve(REPO_ROOT, '../shared/data/xray-samples');
  const source = values.source ?? (existsSync(samples) ? samples : process.env.TRIAGE_DATA_NPZ ?? DEFAULT_NPZ);
  const images = source.endsWith('.npz') ? await npzSource(await ensureNpz(source)) : folderSource(source);
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  console.log(`feeding ${values.count ?? 'unlimited'} studies at ${rate}/s to ${slugs.join(', ')} from ${images.length} images (${(share * 100).toFixed(0)} % pneumonia)`);
  let done = 0;
  const results = await runFeeder({
    gatewayUrl: values.gateway,
    hospitals,
    images,
    rate,
    count: values.count ? Number(values.count) : undefined,
    pneumoniaShare: share,
    seed: values.seed ? Number(values.seed) : undefined,
    signal: controller.signal,
    onUpload: (r) => {
      done++;
      console.log(
        r.ok
          ? `#${done} ${r.hospital}: ${r.label} ${r.source} -> study ${r.studyId} (${r.ms.toFixed(0)} ms)`
          : `#${done} ${r.hospital}: ${r.label} ${r.source} FAILED: ${r.error}`,
      );
    },
  });
  const failed = results.filter((r) => !r.ok).length;
  console.log(`done: ${results.length - failed} uploaded, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
