/**
 * Names of everything on NATS. A namespace (empty in production) prefixes subjects, streams and
 * buckets so test runs and side-by-side deployments never see each other's messages.
 */
export interface NatsTopology {
  namespace: string;
  streams: {
    studies: string;
    predictions: string;
    triage: string;
    deadLetters: string;
    research: string;
  };
  subjects: {
    studyCreated(hospitalId: string): string;
    studyReviewed(hospitalId: string): string;
    predictionCreated(hospitalId: string): string;
    triageUpdated(hospitalId: string): string;
    inferenceDeadLetter(hospitalId: string): string;
    researchLabeled(hospitalId: string): string;
    /** Wildcards for whole streams. */
    allStudies: string;
    /** Only `studies.<hospitalId>.created` (what the inference worker consumes). */
    allStudiesCreated: string;
    allPredictions: string;
    allTriage: string;
    allDeadLetters: string;
    allResearch: string;
  };
  buckets: {
    /** KV: the directory's published hospital list, watched by the gateway. */
    directory: string;
    /** KV + Object Store: the model registry. */
    models: string;
    /** Object Store: a hospital's original images. */
    hospitalImages(hospitalSlug: string): string;
    /** Object Store: de-identified images for the research center. */
    research: string;
  };
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

function assertToken(kind: string, value: string): string {
  if (!SAFE_TOKEN.test(value)) throw new Error(`${kind} "${value}" is not a valid NATS subject token`);
  return value;
}

export function natsTopology(namespace = ''): NatsTopology {
  if (namespace) assertToken('namespace', namespace);
  const subject = (s: string) => (namespace ? `${namespace}.${s}` : s);
  const stream = (s: string) => (namespace ? `${namespace}_${s}` : s);
  const bucket = (s: string) => (namespace ? `${namespace}_${s}` : s);
  return {
    namespace,
    streams: {
      studies: stream('STUDIES'),
      predictions: stream('PREDICTIONS'),
      triage: stream('TRIAGE'),
      deadLetters: stream('DLQ'),
      research: stream('RESEARCH'),
    },
    subjects: {
      studyCreated: (h) => subject(`studies.${assertToken('hospitalId', h)}.created`),
      studyReviewed: (h) => subject(`studies.${assertToken('hospitalId', h)}.reviewed`),
      predictionCreated: (h) => subject(`predictions.${assertToken('hospitalId', h)}.created`),
      triageUpdated: (h) => subject(`triage.${assertToken('hospitalId', h)}.updated`),
      inferenceDeadLetter: (h) => subject(`dlq.inference.${assertToken('hospitalId', h)}`),
      researchLabeled: (h) => subject(`research.labeled.${assertToken('hospitalId', h)}`),
      allStudies: subject('studies.>'),
      allStudiesCreated: subject('studies.*.created'),
      allPredictions: subject('predictions.>'),
      allTriage: subject('triage.>'),
      allDeadLetters: subject('dlq.>'),
      allResearch: subject('research.>'),
    },
    buckets: {
      directory: bucket('directory'),
      models: bucket('models'),
      hospitalImages: (slug) => bucket(`images-${assertToken('hospital slug', slug)}`),
      research: bucket('research'),
    },
  };
}

/** The hospital id is the second-to-last token for `*.created`/`*.updated`, the last for `dlq.*`. */
export function hospitalIdFromSubject(subject: string): string | undefined {
  const tokens = subject.split('.');
  const last = tokens[tokens.length - 1];
  if (last === 'created' || last === 'updated' || last === 'reviewed') return tokens[tokens.length - 2];
  return last;
}
