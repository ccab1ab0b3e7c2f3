import { useCallback, useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import { useApi, useSession } from '../app/context';
import { routeHref } from '../app/router';
import { usePageTitle } from '../app/usePageTitle';
import { canReview } from '../auth/roles';
import {
  ageInYears,
  findingLabel,
  formatDateTime,
  formatRisk,
  formatThreshold,
  riskLevel,
  sexLabel,
  triageStatusLabel,
} from '../common/format';
import type { PredictionFieldsFragment, StudyPageQuery as StudyPageData } from '../gql/graphql';
import { errorMessage } from '../graphql/errors';
import { buildHistory } from './history';
import { ImageViewer } from './ImageViewer';
import { ReviewForm } from './ReviewForm';
import { StudyPageQuery, StudyReviewsQuery, StudyUpdatedSubscription } from './study.graphql';
import { useStudyImage } from './useStudyImage';

type Study = NonNullable<StudyPageData['study']>;

export function StudyPage({ hospitalId, studyId }: { hospitalId: string; studyId: string }) {
  const { session, sessions } = useSession();
  const api = useApi();
  const variables = { hospitalId, id: studyId };
  const [studyResult, refetchStudy] = useQuery({ query: StudyPageQuery, variables, requestPolicy: 'cache-and-network' });
  const [reviewsResult, refetchReviews] = useQuery({ query: StudyReviewsQuery, variables, requestPolicy: 'cache-and-network' });
  const study = studyResult.data?.study ?? null;
  usePageTitle(study ? `Study ${study.accessionNumber}` : 'Study');

  const refresh = useCallback(() => {
    refetchStudy({ requestPolicy: 'network-only' });
    refetchReviews({ requestPolicy: 'network-only' });
  }, [refetchStudy, refetchReviews]);

  // A new prediction or a colleague's review shows up without reloading.
  const [updates] = useSubscription({ query: StudyUpdatedSubscription, variables, pause: !api.ws });
  const lastCursor = updates.data?.studyUpdated.cursor;
  useEffect(() => {
    if (lastCursor) refresh();
  }, [lastCursor, refresh]);

  const onUnauthenticated = useCallback(() => sessions.clear('unauthenticated'), [sessions]);
  const imageVersion = study?.image ? `${study.image.width}x${study.image.height}:${study.status}` : null;
  const image = useStudyImage(hospitalId, studyId, session.token, study ? imageVersion : null, onUnauthenticated);

  if (studyResult.fetching && !study) return <p role="status">Loading the study…</p>;
  if (!study) {
    return (
      <section className="page page--narrow">
        <h1>Study not available</h1>
        <p className={studyResult.error ? 'error' : undefined} role={studyResult.error ? 'alert' : undefined}>
          {studyResult.error ? errorMessage(studyResult.error) : 'There is no such study at this hospital.'}
        </p>
        <p>
          <a href={routeHref({ name: 'worklist' })}>Back to the worklist</a>
        </p>
      </section>
    );
  }

  const reviews = reviewsResult.data?.study?.reviews ?? [];
  const history = buildHistory(study.predictions, reviews);
  const patient = study.patient;
  const age = ageInYears(patient.birthDate);

  return (
    <section className="page study" aria-labelledby="study-title">
      <p className="breadcrumb">
        <a href={routeHref({ name: 'worklist' })}>← Worklist</a>
      </p>
      <h1 id="study-title">
        {patient.name} <span className="muted">· {study.accessionNumber}</span>
      </h1>
      <div className="study__layout">
        <div className="study__image">
          {image.status === 'ready' ? (
            <ImageViewer src={image.url} label={`Chest X-ray of ${patient.name}, accession ${study.accessionNumber}`} />
          ) : (
            <div className="viewer__placeholder">
              {image.status === 'error' ? (
                <p role="alert">{image.message}</p>
              ) : image.status === 'missing' ? (
                <p>No image has been stored for this study yet.</p>
              ) : (
                <p role="status">Loading image…</p>
              )}
            </div>
          )}
        </div>
        <aside className="study__side" aria-label="Study details">
          <RiskPanel study={study} />
          <section className="panel" aria-labelledby="patient-title">
            <h2 id="patient-title">Patient and study</h2>
            <dl className="details">
              <dt>Name</dt>
              <dd>{patient.name}</dd>
              <dt>MRN</dt>
              <dd>{patient.mrn}</dd>
              <dt>Born</dt>
              <dd>
                {patient.birthDate ?? "Not recorded"}
                {age != null ? ` (${age} years)` : ''}
              </dd>
              <dt>Sex</dt>
              <dd>{sexLabel(patient.sex)}</dd>
              <dt>Hospital</dt>
              <dd>{studyResult.data?.hospital?.name ?? hospitalId}</dd>
              <dt>Accession</dt>
              <dd>{study.accessionNumber}</dd>
              <dt>Modality</dt>
              <dd>
                {study.modality} · {study.bodyPart}
              </dd>
              <dt>Acquired</dt>
              <dd>{formatDateTime(study.acquiredAt)}</dd>
              <dt>Image</dt>
              <dd>{study.image ? `${study.image.width} × ${study.image.height} px, ${study.image.contentType}` : 'none yet'}</dd>
            </dl>
          </section>
          {canReview(session.user, hospitalId) && (
            <section className="panel" aria-labelledby="review-title">
              <h2 id="review-title">Your finding</h2>
              <ReviewForm hospitalId={hospitalId} studyId={studyId} onRecorded={refresh} />
            </section>
          )}
          <section className="panel" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            {reviewsResult.error && (
              <p className="notice">Reviews could not be loaded: {errorMessage(reviewsResult.error)}</p>
            )}
            {history.length === 0 ? (
              <p className="muted">No predictions or reviews yet.</p>
            ) : (
              <ol className="history">
                {history.map((entry) => (
                  <li key={entry.key} className={`history__entry history__entry--${entry.kind}`}>
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                    {entry.kind === 'prediction' ? (
                      <p>
                        <strong>Model {entry.prediction.modelVersion}</strong>: risk {formatRisk(entry.prediction.risk)} →{' '}
                        {findingLabel(entry.prediction.label)} (threshold {formatThreshold(entry.prediction.threshold)})
                      </p>
                    ) : (
                      <>
                        <p>
                          <strong>{entry.review.reviewerName ?? 'A doctor'}</strong>: {findingLabel(entry.review.finding)}
                        </p>
                        {entry.review.notes && <p className="history__notes">{entry.review.notes}</p>}
                      </>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </aside>
      </div>
    </section>
  );
}

function RiskPanel({ study }: { study: Study }) {
  const prediction: PredictionFieldsFragment | null = study.prediction ?? null;
  const status = study.triage?.status;
  return (
    <section className="panel" aria-labelledby="risk-title">
      <h2 id="risk-title">Model assessment</h2>
      {prediction ? (
        <>
          <p className="risk-summary">
            <span className={`risk-badge risk-badge--large risk-badge--${riskLevel(prediction.risk)}`}>{formatRisk(prediction.risk)}</span>
            <span>
              pneumonia risk, {prediction.risk >= prediction.threshold ? 'at or above' : 'below'} the model's threshold
            </span>
          </p>
          <RiskMeter risk={prediction.risk} threshold={prediction.threshold} />
          <dl className="details">
            <dt>Model label</dt>
            <dd>{findingLabel(prediction.label)}</dd>
            <dt>Threshold</dt>
            <dd>{formatThreshold(prediction.threshold)}</dd>
            <dt>Model version</dt>
            <dd>{prediction.modelVersion}</dd>
            <dt>Scored</dt>
            <dd>{formatDateTime(prediction.createdAt)}</dd>
            <dt>Triage</dt>
            <dd>{status ? `${triageStatusLabel(status)}, priority ${study.triage?.priority ?? '—'}` : '—'}</dd>
          </dl>
        </>
      ) : (
        <p>{status ? `${triageStatusLabel(status)}.` : 'Not scored yet.'} The risk appears here when the model has scored the image.</p>
      )}
    </section>
  );
}

/** Risk bar with the threshold marked; the numbers are in the text, so it is hidden from screen readers. */
function RiskMeter({ risk, threshold }: { risk: number; threshold: number }) {
  return (
    <div className="risk-meter" aria-hidden="true">
      <div className={`risk-meter__fill risk-meter__fill--${riskLevel(risk)}`} style={{ width: `${Math.max(0, Math.min(1, risk)) * 100}%` }} />
      <div className="risk-meter__threshold" style={{ left: `${Math.max(0, Math.min(1, threshold)) * 100}%` }} />
    </div>
  );
}
