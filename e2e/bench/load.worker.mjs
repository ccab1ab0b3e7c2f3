// bench:pipeline's technicians and stopwatch, on their own thread: the services the bench process hosts
// (directory, hospitals, triage) must not delay the uploads or the clock that times them, and the
// uploads must not take the event loop those services run on.
// Plain JavaScript: worker threads do not inherit tsx's loader.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';

/**
 * @type {{ gatewayUrl: string, natsUrl: string, triageSubject: string, rate: number, total: number, warmup: number,
 *          hospitals: { slug: string, id: string, token: string }[], images: Uint8Array[] }}
 */
const setup = workerData;
const now = () => performance.timeOrigin + performance.now();
const CREATE = 'mutation U($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl study { id } } }';

const nc = await connect({ servers: setup.natsUrl, noAsyncTraces: true });
const stored = new Map();
const sub = nc.subscribe(setup.triageSubject);
void (async () => {
  for await (const msg of sub) {
    const event = msg.json();
    if (event.status === 'WAITING' && !stored.has(event.studyId)) stored.set(event.studyId, now());
  }
})();

// Plain node:http over kept-alive connections: the technicians share the machine with the platform,
// so they should cost it as little as possible (fetch's stream machinery cost about twice as much).
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request; resolves with the status and the body as text. */
function request(url, { method, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function upload(n) {
  const hospital = setup.hospitals[n % setup.hospitals.length];
  const patient = { mrn: `BENCH-${Date.now()}-${n}`, name: 'Bench Patient', birthDate: '2016-03-04', sex: 'FEMALE' };
  const res = await request(`${setup.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hospital.token}` },
    body: Buffer.from(JSON.stringify({ query: CREATE, variables: { h: hospital.id, input: { patient } } })),
  });
  const body = JSON.parse(res.text);
  if (!body.data) throw new Error(`createStudyUpload failed: ${JSON.stringify(body.errors)}`);
  // The signed URL names the public origin; the bench's gateway listens elsewhere.
  const url = `${setup.gatewayUrl}${new URL(body.data.createStudyUpload.uploadUrl).pathname}`;
  const put = await request(url, { method: 'PUT', body: setup.images[n % setup.images.length] });
  return { status: put.status, studyId: body.data.createStudyUpload.study.id, at: now() };
}

const accepted = new Map();
let refused = 0;
const start = now();
const inFlight = [];
for (let n = 0; n < setup.total; n++) {
  const wait = start + (n * 1000) / setup.rate - now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  inFlight.push(
    upload(n).then((answer) => {
      if (answer.status !== 201) refused++;
      else if (n >= setup.warmup) accepted.set(answer.studyId, answer.at);
    }),
  );
}
await Promise.all(inFlight);
const uploadSeconds = (now() - start) / 1000;
const deadline = Date.now() + 60_000;
while ([...accepted.keys()].some((id) => !stored.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
const latencies = [...accepted].filter(([id]) => stored.has(id)).map(([id, at]) => stored.get(id) - at);
await nc.close();
parentPort.postMessage({ latencies, accepted: accepted.size, refused, uploadSeconds });
