import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, hospitalIdFromSubject, messageIds, natsTopology, ResearchLabeledV1, StudyCreatedV1 } from './index.js';

describe('natsTopology', () => {
  it('namespaces subjects, streams and buckets', () => {
    const t = natsTopology('run42');
    expect(t.subjects.studyCreated('h1')).toBe('run42.studies.h1.created');
    expect(t.streams.studies).toBe('run42_STUDIES');
    expect(t.buckets.hospitalImages('st-marys')).toBe('run42_images-st-marys');
    expect(natsTopology().subjects.triageUpdated('h1')).toBe('triage.h1.updated');
  });

  it('refuses ids that would change the subject hierarchy', () => {
    expect(() => natsTopology().subjects.studyCreated('a.b')).toThrow();
    expect(() => natsTopology().subjects.studyCreated('>')).toThrow();
  });

  it('reads the hospital id back from a subject', () => {
    const t = natsTopology('ns');
    expect(hospitalIdFromSubject(t.subjects.predictionCreated('h9'))).toBe('h9');
    expect(hospitalIdFromSubject(t.subjects.inferenceDeadLetter('h9'))).toBe('h9');
  });
});

describe('event codecs', () => {
  const event = {
    version: 1 as const,
    hospitalId: 'h1',
    studyId: 's1',
    modality: 'CR',
    bodyPart: 'CHEST',
    acquiredAt: '2026-01-01T10:00:00.000Z',
    image: null,
    occurredAt: '2026-01-01T10:00:01.000Z',
  };

  it('round-trips a valid payload', () => {
    expect(decodeEvent(StudyCreatedV1, encodeEvent(StudyCreatedV1, event))).toEqual(event);
  });

  it('rejects a payload of another version or with missing fields', () => {
    const bad = new TextEncoder().encode(JSON.stringify({ ...event, version: 2 }));
    expect(() => decodeEvent(StudyCreatedV1, bad)).toThrow();
    const missing = new TextEncoder().encode(JSON.stringify({ hospitalId: 'h1' }));
    expect(() => decodeEvent(StudyCreatedV1, missing)).toThrow();
  });
});

describe('ResearchLabeledV1', () => {
  const example = {
    version: 1 as const,
    hospitalId: 'h1',
    exampleId: 'ex1',
    pseudonym: 'a'.repeat(32),
    finding: 'pneumonia' as const,
    model: { version: 'v1', risk: 0.8, label: 'pneumonia' as const },
    ageBand: '40-49',
    sex: 'FEMALE' as const,
    studyYear: 2026,
    image: { bucket: 'research', key: 'examples/ex1.png', sha256: 'b'.repeat(64), contentType: 'image/png', width: 8, height: 8 },
    deidentification: { method: 'test', textRegionsRemoved: 0 },
    occurredAt: '2026-01-01T10:00:01.000Z',
  };

  it('accepts events with and without the de-identified DICOM copy (an additive field of version 1)', () => {
    expect(decodeEvent(ResearchLabeledV1, encodeEvent(ResearchLabeledV1, example)).dicom).toBeUndefined();
    const withDicom = { ...example, dicom: { key: 'examples/ex1.dcm', sha256: 'c'.repeat(64) } };
    expect(decodeEvent(ResearchLabeledV1, encodeEvent(ResearchLabeledV1, withDicom)).dicom).toEqual(withDicom.dicom);
    expect(() => ResearchLabeledV1.parse({ ...example, dicom: { key: 'examples/ex1.dcm', sha256: 'not-a-hash' } })).toThrow();
  });

  it('de-duplicates by the example id, never a hospital record id', () => {
    expect(messageIds.researchLabeled('ex1')).toBe('research-labeled:ex1');
  });
});
