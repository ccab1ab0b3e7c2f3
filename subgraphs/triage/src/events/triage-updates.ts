import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { encodeEvent, TriageUpdatedV1, type NatsTopology } from '@triage/contracts';
import { natsTraceHeaders } from '@triage/telemetry';
import type { ProjectionResult, TriageProjection } from './triage-projection.js';

export type TriageSource = 'studies' | 'predictions';

/**
 * De-duplication id of the update caused by one source message. Both source streams count their
 * own sequences, so the source is part of the id (else study #7 and prediction #7 would collide).
 */
export const triageUpdateMessageId = (hospitalId: string, studyId: string, source: TriageSource, sequence: number) =>
  `triage:${hospitalId}:${studyId}:${source}:${sequence}`;

/**
 * Publishes TriageUpdatedV1 after the database commit. A redelivered source message publishes
 * again even when it changed nothing: the first attempt may have committed and then failed to
 * publish; the message id lets JetStream drop the copy when the first publish did get through.
 */
export class TriageUpdatePublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: NatsTopology,
    private readonly projection: TriageProjection,
  ) {}

  async announce(result: ProjectionResult, source: TriageSource, cause: JsMsg): Promise<void> {
    const { item } = result;
    if (!item || (!result.changed && !cause.redelivered)) return;
    const event: TriageUpdatedV1 = {
      version: 1,
      hospitalId: item.hospitalId,
      studyId: item.studyId,
      status: item.status,
      priority: item.priority,
      risk: item.risk,
      modelVersion: item.modelVersion,
      occurredAt: item.updatedAt.toISOString(),
    };
    // Continues the cause's trace: the active span is the consumer's, a child of the cause's context.
    const headers = natsTraceHeaders();
    const ack = await this.js.publish(this.topology.subjects.triageUpdated(item.hospitalId), encodeEvent(TriageUpdatedV1, event), {
      msgID: triageUpdateMessageId(item.hospitalId, item.studyId, source, cause.seq),
      headers,
    });
    // On a duplicate JetStream answers with the sequence of the original message.
    this.projection.recordPublishedSequence(item.hospitalId, item.studyId, ack.seq);
  }
}
