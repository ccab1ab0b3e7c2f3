import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState, type DragEvent } from 'react';
import { useApi, useSession } from '../app/context';
import { routeHref } from '../app/router';
import { usePageTitle } from '../app/usePageTitle';
import { canViewStudy, hospitalsWhere } from '../auth/roles';
import { formatBytes } from '../common/format';
import type { PatientFieldsFragment } from '../gql/graphql';
import { errorMessage } from '../graphql/errors';
import { sameOriginPath } from '../graphql/urls';
import { PatientPicker, describePatient } from './PatientPicker';
import { putFile } from './put-file';
import { FILE_ACCEPT, describeUploadError, parseStoredImage, uploadContentType } from './upload-files';
import {
  isBusy,
  summarizeQueue,
  targetStillValid,
  uploadQueueReducer,
  type QueueAction,
  type QueuedFile,
  type UploadTarget,
} from './upload-queue';
import { CreateStudyUploadMutation } from './upload.graphql';

/** Files sent at the same time; more would only share the same uplink. */
const CONCURRENCY = 2;

const fileReducer = (queue: QueuedFile<File>[], action: QueueAction<File>) => uploadQueueReducer(queue, action);
const fileKey = (file: File) => `${file.name}:${file.size}:${file.lastModified}`;

export function UploadPage() {
  usePageTitle('Upload');
  const api = useApi();
  const { session } = useSession();
  const hospitals = useMemo(() => hospitalsWhere(session.user, 'technician'), [session.user]);
  const [hospitalId, setHospitalId] = useState(hospitals[0]?.id ?? '');
  const [patient, setPatient] = useState<PatientFieldsFragment | null>(null);
  const [queue, dispatch] = useReducer(fileReducer, []);
  const [running, setRunning] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const started = useRef(new Set<string>());
  const aborts = useRef(new Map<string, AbortController>());
  const hospitalSelectId = useId();
  const summary = summarizeQueue(queue);
  const busy = queue.some(isBusy);

  useEffect(() => {
    const controllers = aborts.current;
    return () => controllers.forEach((controller) => controller.abort());
  }, []);

  /** Registers the study (unless a retry can reuse its URL), then PUTs the bytes; returns the outcome. */
  const upload = useCallback(
    async (entry: QueuedFile<File>, forPatient: PatientFieldsFragment): Promise<QueueAction<File>> => {
      const controller = new AbortController();
      aborts.current.set(entry.key, controller);
      try {
        let target: UploadTarget;
        if (targetStillValid(entry.target)) {
          // Retry of a registered study: same URL, no second study.
          target = entry.target;
        } else {
          dispatch({ type: 'registering', key: entry.key });
          const result = await api.urql
            .mutation(CreateStudyUploadMutation, {
              hospitalId: forPatient.hospitalId,
              input: { patientId: forPatient.id, accessionNumber: entry.accessionNumber.trim() || null },
            })
            .toPromise();
          const created = result.data?.createStudyUpload;
          if (result.error || !created) {
            return { type: 'failed', key: entry.key, message: errorMessage(result.error, 'The study could not be registered.'), retryable: true };
          }
          target = {
            studyId: created.study.id,
            accessionNumber: created.study.accessionNumber,
            uploadUrl: created.uploadUrl,
            expiresAt: created.expiresAt,
          };
        }
        dispatch({ type: 'registered', key: entry.key, target });
        const answer = await putFile(
          sameOriginPath(target.uploadUrl, window.location.origin),
          entry.file,
          uploadContentType(entry.file),
          (loaded, total) => dispatch({ type: 'progress', key: entry.key, loaded, total }),
          controller.signal,
        );
        const stored = answer.status === 201 || answer.status === 200 ? parseStoredImage(answer.body) : null;
        if (stored) return { type: 'done', key: entry.key, stored };
        const failure = describeUploadError(answer.status, answer.body);
        return { type: 'failed', key: entry.key, message: failure.message, retryable: failure.retryable };
      } finally {
        aborts.current.delete(entry.key);
      }
    },
    [api],
  );

  // The runner: keeps CONCURRENCY files in flight while the technician has pressed "Upload".
  // `started` is updated before the outcome is dispatched, so the render that follows sees a free slot.
  useEffect(() => {
    if (!running || !patient) return;
    const candidates = queue.filter((entry) => entry.status === 'ready' && !started.current.has(entry.key));
    const slots = Math.max(0, CONCURRENCY - started.current.size);
    for (const entry of candidates.slice(0, slots)) {
      started.current.add(entry.key);
      void upload(entry, patient).then((outcome) => {
        started.current.delete(entry.key);
        dispatch(outcome);
      });
    }
    if (candidates.length === 0 && started.current.size === 0) setRunning(false);
  }, [running, patient, queue, upload]);

  function addFiles(files: FileList | null) {
    if (!files || files.length === 0) return;
    dispatch({ type: 'add', files: [...files], keyOf: fileKey });
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  }

  if (hospitals.length === 0) {
    return (
      <section className="page page--narrow">
        <h1>Upload</h1>
        <p>Uploading needs a technician role at a hospital.</p>
      </section>
    );
  }

  const canStart = !!patient && summary.ready > 0 && !running;
  const uploadHospital = patient?.hospitalId ?? hospitalId;
  const studyHref = (studyId: string) =>
    canViewStudy(session.user, uploadHospital) ? routeHref({ name: 'study', hospitalId: uploadHospital, studyId }) : null;

  return (
    <section className="page upload" aria-labelledby="upload-title">
      <h1 id="upload-title">Upload chest X-rays</h1>
      <div className="upload__layout">
        <section className="panel" aria-labelledby="patient-step">
          <h2 id="patient-step">1. Patient</h2>
          {hospitals.length > 1 ? (
            <div className="field">
              <label htmlFor={hospitalSelectId}>Hospital</label>
              <select
                id={hospitalSelectId}
                value={hospitalId}
                disabled={busy || running}
                onChange={(event) => {
                  setHospitalId(event.target.value);
                  setPatient(null);
                }}
              >
                {hospitals.map((hospital) => (
                  <option key={hospital.id} value={hospital.id}>
                    {hospital.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <p className="muted">Hospital: {hospitals[0]?.name}</p>
          )}
          <PatientPicker key={hospitalId} hospitalId={hospitalId} selected={patient} onSelect={setPatient} disabled={busy || running} />
        </section>

        <section className="panel" aria-labelledby="files-step">
          <h2 id="files-step">2. Images</h2>
          <div
            className={dragging ? 'dropzone dropzone--active' : 'dropzone'}
            onDragEnter={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragOver={(event) => {
              event.preventDefault();
              event.dataTransfer.dropEffect = 'copy';
            }}
            onDragLeave={(event) => {
              if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
            }}
            onDrop={onDrop}
          >
            <p>Drag and drop X-ray images here (PNG, JPEG or DICOM; several at once), or</p>
            <button type="button" className="button" onClick={() => input.current?.click()}>
              Choose files…
            </button>
            <input
              ref={input}
              type="file"
              multiple
              accept={FILE_ACCEPT}
              className="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              onChange={(event) => {
                addFiles(event.target.files);
                event.target.value = '';
              }}
            />
          </div>

          {queue.length > 0 && (
            <>
              <ul className="upload-list" aria-label="Files to upload">
                {queue.map((entry) => (
                  <UploadRow
                    key={entry.key}
                    entry={entry}
                    studyHref={studyHref}
                    send={dispatch}
                    onRetry={() => {
                      dispatch({ type: 'retry', key: entry.key });
                      setRunning(true);
                    }}
                  />
                ))}
              </ul>
              <p role="status" className="upload__summary">
                {summary.done} of {summary.total} uploaded
                {summary.inFlight > 0 ? `, ${summary.inFlight} in progress` : ''}
                {summary.failed > 0 ? `, ${summary.failed} with a problem` : ''}.
              </p>
            </>
          )}
          {!patient && queue.length > 0 && <p className="notice">Choose or register the patient first.</p>}
          {patient && summary.ready > 0 && (
            <p className="muted small">Each image becomes one study of {describePatient(patient)}.</p>
          )}
          <div className="button-row">
            <button type="button" className="button button--primary" disabled={!canStart} onClick={() => setRunning(true)}>
              {running ? 'Uploading…' : summary.ready === 0 ? 'Upload' : `Upload ${summary.ready} ${summary.ready === 1 ? 'file' : 'files'}`}
            </button>
            {summary.done > 0 && !busy && (
              <button type="button" className="button" onClick={() => dispatch({ type: 'clearFinished' })}>
                Clear finished
              </button>
            )}
          </div>
        </section>
      </div>
    </section>
  );
}

function UploadRow({
  entry,
  studyHref,
  send,
  onRetry,
}: {
  entry: QueuedFile<File>;
  /** Link to the stored study, when the user may open it. */
  studyHref: (studyId: string) => string | null;
  send: (action: QueueAction<File>) => void;
  onRetry: () => void;
}) {
  const id = useId();
  const accessionId = `${id}-accession`;
  const errorId = `${id}-error`;
  const editable = entry.status === 'ready' || (entry.status === 'failed' && entry.target === null);
  return (
    <li className={`upload-item upload-item--${entry.status}`}>
      <div className="upload-item__head">
        <span className="upload-item__name">{entry.file.name}</span>
        <span className="muted small">{formatBytes(entry.file.size)}</span>
        <span className={`upload-item__status upload-item__status--${entry.status}`}>{STATUS_TEXT[entry.status]}</span>
      </div>
      {entry.status !== 'invalid' && (
        <progress
          className="upload-item__progress"
          max={1}
          value={entry.progress}
          aria-label={`Upload progress of ${entry.file.name}`}
        />
      )}
      {editable && (
        <div className="field field--inline">
          <label htmlFor={accessionId}>Accession number (optional)</label>
          <input
            id={accessionId}
            value={entry.accessionNumber}
            placeholder="assigned automatically"
            aria-describedby={entry.error ? errorId : undefined}
            onChange={(event) => send({ type: 'setAccession', key: entry.key, accessionNumber: event.target.value })}
          />
        </div>
      )}
      {entry.error && (
        <p id={errorId} className="error">
          {entry.error}
        </p>
      )}
      {entry.status === 'done' && entry.target && (
        <p className="success">
          Stored as study {entry.target.accessionNumber}
          {entry.stored && entry.stored.width > 0 ? ` (${entry.stored.width} × ${entry.stored.height} px)` : ''}.{' '}
          {studyHref(entry.target.studyId) && <a href={studyHref(entry.target.studyId) ?? undefined}>Open study</a>}
        </p>
      )}
      <div className="button-row">
        {entry.status === 'failed' && entry.retryable && (
          <button type="button" className="button" onClick={onRetry}>
            Retry {entry.file.name}
          </button>
        )}
        {!isBusy(entry) && entry.status !== 'done' && (
          <button type="button" className="button button--quiet" onClick={() => send({ type: 'remove', key: entry.key })}>
            Remove {entry.file.name}
          </button>
        )}
      </div>
    </li>
  );
}

const STATUS_TEXT: Record<QueuedFile['status'], string> = {
  ready: 'Ready',
  registering: 'Registering study…',
  uploading: 'Uploading…',
  done: 'Uploaded',
  failed: 'Failed',
  invalid: 'Not accepted',
};
