import { localFileProblem, type FileLike, type StoredImage } from './upload-files';

/**
 * Each file becomes one study: `ready` -> `registering` (createStudyUpload) -> `uploading` (PUT
 * with progress) -> `done`, or `failed` with a message. `invalid` files never leave the browser.
 */
export type UploadStatus = 'ready' | 'registering' | 'uploading' | 'done' | 'failed' | 'invalid';

export interface UploadTarget {
  studyId: string;
  accessionNumber: string;
  uploadUrl: string;
  expiresAt: string;
}

export interface QueuedFile<F extends FileLike = FileLike> {
  key: string;
  file: F;
  /** Optional; the hospital assigns one when empty. */
  accessionNumber: string;
  status: UploadStatus;
  /** 0..1 while uploading. */
  progress: number;
  error: string | null;
  /** Whether "retry" makes sense after a failure. */
  retryable: boolean;
  /** Set once the study is registered; a retry re-sends to the same URL while it is valid. */
  target: UploadTarget | null;
  stored: StoredImage | null;
}

export type QueueAction<F extends FileLike = FileLike> =
  | { type: 'add'; files: readonly F[]; keyOf: (file: F, index: number) => string }
  | { type: 'remove'; key: string }
  | { type: 'setAccession'; key: string; accessionNumber: string }
  | { type: 'registering'; key: string }
  | { type: 'registered'; key: string; target: UploadTarget }
  | { type: 'progress'; key: string; loaded: number; total: number }
  | { type: 'done'; key: string; stored: StoredImage }
  | { type: 'failed'; key: string; message: string; retryable: boolean }
  | { type: 'retry'; key: string }
  | { type: 'clearFinished' };

export function uploadQueueReducer<F extends FileLike>(queue: QueuedFile<F>[], action: QueueAction<F>): QueuedFile<F>[] {
  const update = (key: string, change: (entry: QueuedFile<F>) => QueuedFile<F>) =>
    queue.map((entry) => (entry.key === key ? change(entry) : entry));
  switch (action.type) {
    case 'add': {
      const known = new Set(queue.map((entry) => entry.key));
      const added = action.files
        .map((file, index): QueuedFile<F> => {
          const problem = localFileProblem(file);
          return {
            key: action.keyOf(file, index),
            file,
            accessionNumber: '',
            status: problem ? 'invalid' : 'ready',
            progress: 0,
            error: problem,
            retryable: false,
            target: null,
            stored: null,
          };
        })
        .filter((entry) => !known.has(entry.key));
      return [...queue, ...added];
    }
    case 'remove':
      return queue.filter((entry) => entry.key !== action.key || isBusy(entry));
    case 'setAccession':
      // Editable until a study is registered, e.g. after a CONFLICT on a taken accession number.
      return update(action.key, (entry) =>
        entry.status === 'ready' || (entry.status === 'failed' && entry.target === null)
          ? { ...entry, accessionNumber: action.accessionNumber }
          : entry,
      );
    case 'registering':
      return update(action.key, (entry) => ({ ...entry, status: 'registering', error: null, progress: 0 }));
    case 'registered':
      return update(action.key, (entry) => ({ ...entry, status: 'uploading', target: action.target, progress: 0 }));
    case 'progress':
      return update(action.key, (entry) => ({
        ...entry,
        progress: action.total > 0 ? Math.min(1, action.loaded / action.total) : entry.progress,
      }));
    case 'done':
      return update(action.key, (entry) => ({ ...entry, status: 'done', progress: 1, stored: action.stored, error: null }));
    case 'failed':
      return update(action.key, (entry) => ({ ...entry, status: 'failed', error: action.message, retryable: action.retryable }));
    case 'retry':
      return update(action.key, (entry) =>
        entry.status === 'failed' && entry.retryable ? { ...entry, status: 'ready', error: null, progress: 0 } : entry,
      );
    case 'clearFinished':
      return queue.filter((entry) => entry.status !== 'done');
  }
}

export function isBusy(entry: QueuedFile<FileLike>): boolean {
  return entry.status === 'registering' || entry.status === 'uploading';
}

/** The files to start now so that at most `concurrency` are in flight. */
export function nextToStart<F extends FileLike>(queue: readonly QueuedFile<F>[], concurrency: number): QueuedFile<F>[] {
  const inFlight = queue.filter(isBusy).length;
  const free = Math.max(0, concurrency - inFlight);
  return queue.filter((entry) => entry.status === 'ready').slice(0, free);
}

/** Whether a registered study's upload URL can still be used (with a minute of margin). */
export function targetStillValid(target: UploadTarget | null, now: number = Date.now()): target is UploadTarget {
  if (!target) return false;
  const expires = Date.parse(target.expiresAt);
  return !Number.isNaN(expires) && expires - now > 60_000;
}

export interface QueueSummary {
  total: number;
  ready: number;
  inFlight: number;
  done: number;
  failed: number;
  /** Bytes-weighted progress of everything that is not invalid, 0..1. */
  progress: number;
}

export function summarizeQueue(queue: readonly QueuedFile<FileLike>[]): QueueSummary {
  let bytes = 0;
  let sent = 0;
  const summary = { total: queue.length, ready: 0, inFlight: 0, done: 0, failed: 0, progress: 0 };
  for (const entry of queue) {
    if (entry.status === 'ready') summary.ready += 1;
    if (isBusy(entry)) summary.inFlight += 1;
    if (entry.status === 'done') summary.done += 1;
    if (entry.status === 'failed' || entry.status === 'invalid') summary.failed += 1;
    if (entry.status === 'invalid') continue;
    bytes += entry.file.size;
    sent += entry.file.size * entry.progress;
  }
  summary.progress = bytes > 0 ? sent / bytes : 0;
  return summary;
}
