import type { ResearchLabeledV1 } from '@triage/contracts';
import type { Orm } from '@triage/service-common';
import { LabeledExample } from './labeled-example.entity.js';

/**
 * Safe Harbor keeps ages over 89 in one group: a band reaching past 89 becomes "90+". Bands the
 * contract allows ("40-44" as the hospitals send them, "85+") otherwise pass through.
 */
export function coarsenAgeBand(band: string | null): string | null {
  if (band === null) return null;
  const match = /^(\d{1,3})(?:-(\d{1,3})|\+)$/.exec(band);
  if (!match) return null;
  const low = Number(match[1]);
  const high = match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2]);
  return high > 89 && low >= 90 ? '90+' : high > 89 ? `${low}+` : band;
}

/** Indexes ResearchLabeledV1 events; idempotent by exampleId (a replay or a duplicate changes nothing). */
export class LabeledExampleProjection {
  constructor(private readonly orm: Orm) {}

  /** Returns whether the example was new. */
  async apply(event: ResearchLabeledV1, streamSequence: number): Promise<boolean> {
    const em = this.orm.em.fork();
    const inserted = await em
      .createQueryBuilder(LabeledExample)
      .insert({
        exampleId: event.exampleId,
        hospitalId: event.hospitalId,
        pseudonym: event.pseudonym,
        finding: event.finding,
        modelVersion: event.model?.version ?? null,
        modelRisk: event.model?.risk ?? null,
        modelLabel: event.model?.label ?? null,
        ageBand: coarsenAgeBand(event.ageBand),
        sex: event.sex,
        studyYear: event.studyYear,
        imageBucket: event.image.bucket,
        imageKey: event.image.key,
        imageSha256: event.image.sha256,
        imageContentType: event.image.contentType,
        imageWidth: event.image.width,
        imageHeight: event.image.height,
        dicomKey: event.dicom?.key ?? null,
        dicomSha256: event.dicom?.sha256 ?? null,
        deidentificationMethod: event.deidentification.method,
        textRegionsRemoved: event.deidentification.textRegionsRemoved,
        streamSequence,
        labeledAt: new Date(event.occurredAt),
        receivedAt: new Date(),
      })
      .onConflict('exampleId')
      .ignore()
      .execute('run');
    return (inserted.affectedRows ?? 0) > 0;
  }
}
