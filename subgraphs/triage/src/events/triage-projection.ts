import { randomUUID } from 'node:crypto';
import type { PredictionCreatedV1, StudyCreatedV1, StudyReviewedV1 } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import { BatchWriter, type Orm } from '@triage/service-common';
import type { TriageStatus } from '../worklist-item/triage-state.js';
import type { WorklistItem } from '../worklist-item/worklist-item.entity.js';

/** What an event leaves on the worklist: the item's state as committed. */
export type ProjectedItem = Pick<
  WorklistItem,
  'hospitalId' | 'studyId' | 'status' | 'priority' | 'risk' | 'modelVersion' | 'receivedAt' | 'updatedAt'
>;

export interface ProjectionResult {
  /** The committed triage row, or null when the event does not put the study on the worklist. */
  item: ProjectedItem | null;
  /** Whether anything a worklist reader sees (status, priority, risk, model) changed. */
  changed: boolean;
  /** Set when this event stored a new live (non-shadow) prediction: its study's registration time. */
  newLivePrediction?: { studyReceivedAt: Date };
  /** Set when this event moved the study to REVIEWED and a live prediction was there to compare with. */
  reviewedPrediction?: { modelVersion: string; label: string };
}

interface Cursor {
  hospitalId: string;
  studyId: string;
  sequence: number;
}

interface ItemRow {
  hospital_id: string;
  study_id: string;
  status: TriageStatus;
  priority: number;
  risk: number | null;
  model_version: string | null;
  /** Milliseconds since the epoch, exact (bigint, as text). */
  received_ms: string;
  updated_ms: string;
  changed: boolean;
}

const ITEM_COLUMNS = `(r.item).hospital_id, (r.item).study_id, (r.item).status, (r.item).priority, (r.item).risk,
  (r.item).model_version, (extract(epoch from (r.item).received_at) * 1000)::bigint as received_ms,
  (extract(epoch from (r.item).updated_at) * 1000)::bigint as updated_ms, r.changed`;

const itemOf = (row: ItemRow): ProjectedItem => ({
  hospitalId: row.hospital_id,
  studyId: row.study_id,
  status: row.status,
  priority: row.priority,
  risk: row.risk,
  modelVersion: row.model_version,
  receivedAt: new Date(Number(row.received_ms)),
  updatedAt: new Date(Number(row.updated_ms)),
});

/**
 * Applies study and prediction events to the worklist read model. Every apply is idempotent and
 * order-tolerant: replays change nothing, a prediction may arrive before its study, and the
 * triage state is recomputed from the stored predictions instead of being incremented.
 *
 * Each event is one call of a database function (migration `projection_functions`), so one round
 * trip: the functions take a per-study advisory lock, so a study event and a prediction racing for
 * the same study, on any replica, cannot both insert the row or overwrite each other's fields.
 */
export class TriageProjection {
  /**
   * Feed cursors are written in batches shortly after their updates are published: many studies in
   * one UPDATE instead of a statement per event. A cursor only moves forward, so a late or repeated
   * write cannot take it back.
   */
  private readonly cursors: BatchWriter<Cursor>;

  constructor(
    private readonly orm: Orm,
    log?: Logger,
  ) {
    this.cursors = new BatchWriter<Cursor>({
      what: 'feed cursors',
      delayMs: 25,
      keyOf: (c) => `${c.hospitalId}\u0000${c.studyId}`,
      merge: (a, b) => (a.sequence >= b.sequence ? a : b),
      write: (batch) =>
        this.call(
          `update worklist_item w set last_event_sequence = c.sequence
             from unnest(?::text[], ?::text[], ?::bigint[]) as c(hospital_id, study_id, sequence)
            where w.hospital_id = c.hospital_id and w.study_id = c.study_id and w.last_event_sequence < c.sequence`,
          [batch.map((c) => c.hospitalId), batch.map((c) => c.studyId), batch.map((c) => c.sequence)],
        ).then(() => undefined),
      log,
    });
  }

  async applyStudyCreated(event: StudyCreatedV1): Promise<ProjectionResult> {
    const status: TriageStatus = event.image ? 'AWAITING_PREDICTION' : 'AWAITING_IMAGE';
    const [row] = await this.call<ItemRow>(
      `select ${ITEM_COLUMNS} from triage_apply_study_created(?, ?, ?, ?, ?) r`,
      [event.hospitalId, event.studyId, status, new Date(event.occurredAt), new Date()],
    );
    return { item: itemOf(row!), changed: row!.changed };
  }

  /** A doctor recorded a finding: the item leaves the queue as REVIEWED (and never comes back). */
  async applyStudyReviewed(event: StudyReviewedV1): Promise<ProjectionResult> {
    const [row] = await this.call<ItemRow & { reviewed_model_version: string | null; reviewed_label: string | null }>(
      `select ${ITEM_COLUMNS}, r.reviewed_model_version, r.reviewed_label from triage_apply_study_reviewed(?, ?, ?, ?) r`,
      [event.hospitalId, event.studyId, new Date(event.occurredAt), new Date()],
    );
    const result: ProjectionResult = { item: itemOf(row!), changed: row!.changed };
    if (row!.reviewed_model_version !== null && row!.reviewed_label !== null) {
      result.reviewedPrediction = { modelVersion: row!.reviewed_model_version, label: row!.reviewed_label };
    }
    return result;
  }

  async applyPredictionCreated(event: PredictionCreatedV1): Promise<ProjectionResult> {
    const rows = await this.call<ItemRow & { new_live_prediction: boolean }>(
      `select ${ITEM_COLUMNS}, r.new_live_prediction from triage_apply_prediction_created(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) r`,
      [
        randomUUID(),
        event.hospitalId,
        event.studyId,
        event.modelVersion,
        event.risk,
        event.label,
        event.threshold,
        event.shadow,
        event.timings.queueMs,
        event.timings.preprocessMs,
        event.timings.inferenceMs,
        new Date(event.occurredAt),
        new Date(),
      ],
    );
    const row = rows[0];
    // No row: a shadow prediction for a study not on the worklist yet.
    if (!row) return { item: null, changed: false };
    const item = itemOf(row);
    return { item, changed: row.changed, ...(row.new_live_prediction && { newLivePrediction: { studyReceivedAt: item.receivedAt } }) };
  }

  /**
   * Remembers the triage stream sequence of the last update published for a study (the feed
   * cursor). Written in batches shortly after; `flush` writes what is pending.
   */
  recordPublishedSequence(hospitalId: string, studyId: string, sequence: number): void {
    this.cursors.add({ hospitalId, studyId, sequence });
  }

  /** Writes the pending cursors; call before closing the database. */
  flush(): Promise<void> {
    return this.cursors.flush();
  }

  private async call<T>(sql: string, bindings: unknown[]): Promise<T[]> {
    const result = await this.orm.em.getConnection().getKnex().raw(sql, bindings as never[]);
    return (result as { rows: T[] }).rows;
  }
}
