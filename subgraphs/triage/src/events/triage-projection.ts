import type { EntityManager } from '@mikro-orm/postgresql';
import type { PredictionCreatedV1, StudyCreatedV1, StudyReviewedV1 } from '@triage/contracts';
import type { Orm } from '@triage/service-common';
import { Prediction } from '../prediction/prediction.entity.js';
import { advanceStatus, priorityFromRisk, type TriageStatus } from '../worklist-item/triage-state.js';
import { WorklistItem } from '../worklist-item/worklist-item.entity.js';

export interface ProjectionResult {
  /** The committed triage row, or null when the event does not put the study on the worklist. */
  item: WorklistItem | null;
  /** Whether anything a worklist reader sees (status, priority, risk, model) changed. */
  changed: boolean;
  /** Set when this event stored a new live (non-shadow) prediction: its study's registration time. */
  newLivePrediction?: { studyReceivedAt: Date };
  /** Set when this event moved the study to REVIEWED and a live prediction was there to compare with. */
  reviewedPrediction?: { modelVersion: string; label: string };
}

type VisibleState = Pick<WorklistItem, 'status' | 'priority' | 'risk' | 'modelVersion'>;
const visibleState = ({ status, priority, risk, modelVersion }: WorklistItem): VisibleState => ({
  status,
  priority,
  risk,
  modelVersion,
});
const sameState = (a: VisibleState, b: VisibleState) =>
  a.status === b.status && a.priority === b.priority && a.risk === b.risk && a.modelVersion === b.modelVersion;

/**
 * Applies study and prediction events to the worklist read model. Every apply is idempotent and
 * order-tolerant: replays change nothing, a prediction may arrive before its study, and the
 * triage state is recomputed from the stored predictions instead of being incremented.
 */
export class TriageProjection {
  constructor(private readonly orm: Orm) {}

  applyStudyCreated(event: StudyCreatedV1): Promise<ProjectionResult> {
    const { hospitalId, studyId } = event;
    const status: TriageStatus = event.image ? 'AWAITING_PREDICTION' : 'AWAITING_IMAGE';
    const registeredAt = new Date(event.occurredAt);
    return this.inStudyTransaction(hospitalId, studyId, async (em) => {
      const item = await em.findOne(WorklistItem, { hospitalId, studyId });
      if (!item) {
        const created = em.create(WorklistItem, { hospitalId, studyId, status, receivedAt: registeredAt, updatedAt: new Date() });
        return { item: created, changed: true };
      }
      const before = visibleState(item);
      item.status = advanceStatus(item.status, status);
      // The row may come from an earlier prediction; the study's own registration time wins.
      if (registeredAt < item.receivedAt) item.receivedAt = registeredAt;
      return this.touch(item, before);
    });
  }

  /** A doctor recorded a finding: the item leaves the queue as REVIEWED (and never comes back). */
  applyStudyReviewed(event: StudyReviewedV1): Promise<ProjectionResult> {
    const { hospitalId, studyId } = event;
    return this.inStudyTransaction(hospitalId, studyId, async (em) => {
      const item = await em.findOne(WorklistItem, { hospitalId, studyId });
      if (!item) {
        // The study event has not arrived yet; its registration time will replace this one.
        const created = em.create(WorklistItem, {
          hospitalId,
          studyId,
          status: 'REVIEWED',
          receivedAt: new Date(event.occurredAt),
          updatedAt: new Date(),
        });
        return { item: created, changed: true };
      }
      const before = visibleState(item);
      item.status = advanceStatus(item.status, 'REVIEWED');
      const result = this.touch(item, before);
      if (before.status !== 'REVIEWED' && item.status === 'REVIEWED') {
        const live = await em.findOne(Prediction, { hospitalId, studyId, shadow: false }, { orderBy: [{ createdAt: 'desc' }, { modelVersion: 'desc' }] });
        if (live) result.reviewedPrediction = { modelVersion: live.modelVersion, label: live.label };
      }
      return result;
    });
  }

  applyPredictionCreated(event: PredictionCreatedV1): Promise<ProjectionResult> {
    const { hospitalId, studyId, modelVersion } = event;
    return this.inStudyTransaction(hospitalId, studyId, async (em) => {
      const values = {
        risk: event.risk,
        label: event.label,
        threshold: event.threshold,
        timings: { ...event.timings },
      };
      const existing = await em.findOne(Prediction, { hospitalId, studyId, modelVersion });
      const storesNewLive = !existing && !event.shadow;
      if (existing) {
        em.assign(existing, values);
        // A model promoted from shadow to live stays live even if an old shadow event is replayed.
        existing.shadow = existing.shadow && event.shadow;
      } else {
        em.create(Prediction, { hospitalId, studyId, modelVersion, shadow: event.shadow, createdAt: new Date(event.occurredAt), ...values });
      }
      await em.flush();

      const item = await em.findOne(WorklistItem, { hospitalId, studyId });
      const live = await em.findOne(
        Prediction,
        { hospitalId, studyId, shadow: false },
        { orderBy: [{ createdAt: 'desc' }, { modelVersion: 'desc' }] },
      );
      // Shadow predictions are recorded for comparison only: they never touch the worklist.
      if (!live) return { item, changed: false };

      const state = { risk: live.risk, modelVersion: live.modelVersion, priority: priorityFromRisk(live.risk) };
      if (!item) {
        // The study event has not arrived yet: the doctor should see the risk anyway.
        const created = em.create(WorklistItem, {
          hospitalId,
          studyId,
          status: 'WAITING',
          receivedAt: new Date(event.occurredAt),
          updatedAt: new Date(),
          ...state,
        });
        return { item: created, changed: true, ...(storesNewLive && { newLivePrediction: { studyReceivedAt: created.receivedAt } }) };
      }
      const before = visibleState(item);
      em.assign(item, { ...state, status: advanceStatus(item.status, 'WAITING') });
      const result = this.touch(item, before);
      if (storesNewLive) result.newLivePrediction = { studyReceivedAt: item.receivedAt };
      return result;
    });
  }

  /** Remembers the triage stream sequence of the last update published for a study (the feed cursor). */
  async recordPublishedSequence(hospitalId: string, studyId: string, sequence: number): Promise<void> {
    await this.orm.em
      .fork()
      .nativeUpdate(WorklistItem, { hospitalId, studyId, lastEventSequence: { $lt: sequence } }, { lastEventSequence: sequence });
  }

  private touch(item: WorklistItem, before: VisibleState): ProjectionResult {
    const changed = !sameState(before, visibleState(item));
    if (changed) item.updatedAt = new Date();
    return { item, changed };
  }

  /**
   * One transaction per event, serialized per study across consumers and replicas by a
   * transaction-scoped advisory lock, so a study event and a prediction racing for the same
   * study cannot both insert the row or overwrite each other's fields.
   */
  private inStudyTransaction(
    hospitalId: string,
    studyId: string,
    work: (em: EntityManager) => Promise<ProjectionResult>,
  ): Promise<ProjectionResult> {
    return this.orm.em.fork().transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`triage:${hospitalId}:${studyId}`]);
      return work(em);
    });
  }
}
