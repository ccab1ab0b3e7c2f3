import dcmjs, { type DicomDataset } from 'dcmjs';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { BASIC_PROFILE } from '../src/deidentify/basic-profile.data.js';
import { cleanDescriptor } from '../src/deidentify/clean-descriptor.js';
import { deidentifyDicom, deidentifyDicomFile, profileRowFor, replacementUid } from '../src/deidentify/deidentify-dicom.js';
import { readDicomFile } from '../src/ingest/dicom/dicom-file.js';
import { buildDicom, newUid } from './ingest-fixtures.js';

const KEYS = { uidKey: 'hospital-a-uid-key-0123456789abcdef', patientPseudonym: '0123456789abcdef0123456789abcdef' };
const UID = /^2\.25\.[1-9]\d*$/;

/** A DX header with identifying attributes of every action class, private data, and nested sequences. */
function identifiedDataset() {
  const uids = { study: newUid(), series: newUid(), sop: newUid(), frame: newUid(), referenced: newUid() };
  const gray = new Uint8Array(16 * 12).map((_, i) => (i * 5) % 256);
  const attributes: Record<string, unknown> = {
    PatientName: 'Lamarr^Hedy',
    PatientID: 'MRN-DCM-42',
    PatientBirthDate: '19141109',
    PatientSex: 'F',
    PatientAge: '071Y',
    PatientAddress: '1 Main Street, Vienna',
    OtherPatientIDs: 'ALT-123',
    AccessionNumber: 'ACC-DCM-42',
    StudyDate: '20240601',
    StudyTime: '101500',
    StudyID: 'S42',
    ReferringPhysicianName: 'House^Gregory',
    InstitutionName: 'General Hospital',
    StationName: 'XR-ROOM-3',
    OperatorsName: 'Tech^Tina',
    AcquisitionDate: '20240601',
    ContentDate: '20240601',
    ContentTime: '101502',
    VerifyingObserverName: 'Reader^Rita',
    ClinicalTrialSponsorName: 'Sponsor Inc',
    StudyDescription: 'CHEST PA Dr Smith 2021-03-04',
    SeriesDescription: 'Lamarr Hedy',
    ProtocolName: 'Chest AP portable (ward 7)',
    Modality: 'DX',
    BodyPartExamined: 'CHEST',
    ViewPosition: 'PA',
    StudyInstanceUID: uids.study,
    SeriesInstanceUID: uids.series,
    FrameOfReferenceUID: uids.frame,
    ReferencedImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', ReferencedSOPInstanceUID: uids.referenced }],
    // Kept (not in the table): its items are still processed.
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: uids.series,
        ReferencedInstanceSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', ReferencedSOPInstanceUID: uids.sop }],
        InstitutionName: 'Nested Hospital',
      },
    ],
    PersonIdentificationCodeSequence: [{ CodeValue: 'EMP-9', CodingSchemeDesignator: 'LOCAL', CodeMeaning: 'Tina Tech' }],
    AcquisitionContextSequence: [{ ValueType: 'TEXT', TextValue: 'Hedy Lamarr' }],
  };
  const bytes = buildDicom({ width: 16, height: 12, gray, sopInstanceUid: uids.sop, attributes: attributes as Record<string, string> });
  return { bytes, uids };
}

/** Adds raw elements dcmjs' naturalized form cannot express (private tags, overlays, curves). */
function withRawElements(bytes: Buffer): ArrayBuffer {
  const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  Object.assign(dicom.dict, {
    '00090010': { vr: 'LO', Value: ['ACME PRIVATE'] },
    '00091001': { vr: 'LO', Value: ['Hedy Lamarr private copy'] },
    '60003000': { vr: 'OW', Value: [new Uint8Array(8).fill(255).buffer] },
    '60004000': { vr: 'LT', Value: ['overlay by Dr House'] },
    '50000010': { vr: 'US', Value: [2] },
  } satisfies DicomDataset);
  const nested = dicom.dict['00081115']!.Value![0] as DicomDataset;
  nested['00111010'] = { vr: 'LO', Value: ['nested private'] };
  return dicom.write();
}

function deidentified() {
  const { bytes, uids } = identifiedDataset();
  const dicom = dcmjs.data.DicomMessage.readFile(withRawElements(bytes));
  const report = deidentifyDicom(dicom, KEYS);
  // Written and read back: what the research center receives.
  const written = Buffer.from(dicom.write());
  const back = dcmjs.data.DicomMessage.readFile(written.buffer.slice(written.byteOffset, written.byteOffset + written.byteLength) as ArrayBuffer);
  return { ds: back.dict, meta: back.meta, written, report, uids };
}

const value = (ds: DicomDataset, tag: string) => ds[tag]?.Value;

describe('deidentifyDicom: PS3.15 E.1 Basic Profile actions', () => {
  it('the action table names real DICOM attributes', () => {
    for (const row of BASIC_PROFILE.filter((r) => !/x/.test(r.tag))) {
      const entry = dcmjs.data.DicomMetaDictionary.dictionary[`(${row.tag.slice(0, 4)},${row.tag.slice(4)})`];
      expect({ tag: row.tag, name: entry?.name.replace(/^RETIRED_/, '') }).toEqual({ tag: row.tag, name: row.keyword });
    }
    expect(profileRowFor('60023000')?.keyword).toBe('OverlayData');
    expect(profileRowFor('50121234')?.keyword).toBe('CurveData');
    expect(profileRowFor('00080060')).toBeUndefined(); // Modality: not in the table, kept
  });

  it('D replaces with a dummy of the VR', () => {
    const { ds, written } = deidentified();
    expect(value(ds, '00080023')).toEqual(['19000101']); // ContentDate (Type 1 in DX: Z/D -> D)
    expect(value(ds, '00080033')).toEqual(['000000']); // ContentTime
    expect(value(ds, '0040A075')).toEqual([{ Alphabetic: 'ANONYMIZED' }]); // VerifyingObserverName
    expect(value(ds, '00120010')).toEqual(['ANONYMIZED']); // ClinicalTrialSponsorName
    // PersonIdentificationCodeSequence: one empty item (dcmjs drops empty items when reading, dicom-parser does not)
    expect(dicomParser.parseDicom(new Uint8Array(written)).elements.x00401101?.items?.map((item) => Object.keys(item.dataSet!.elements).filter((t) => t !== 'xfffee00d'))).toEqual([[]]);
  });

  it('Z keeps the attribute with a zero-length value (PatientID: the pseudonym, a dummy Z allows)', () => {
    const { ds, written } = deidentified();
    const parsed = dicomParser.parseDicom(new Uint8Array(written));
    for (const tag of ['00100010', '00100030', '00080050', '00080020', '00080030', '00200010', '00080090', '00400555']) {
      expect({ tag, length: parsed.elements[`x${tag.toLowerCase()}`]?.length }).toEqual({ tag, length: 0 });
    }
    expect(value(ds, '00100020')).toEqual([KEYS.patientPseudonym]);
  });

  it('X removes, at every level; private elements, overlays and curves go too', () => {
    const { ds, report } = deidentified();
    for (const tag of ['00101040', '00101000', '00101010', '00080080', '00081010', '00081070', '00080022', '00081140', '60003000', '60004000', '50000010', '00090010', '00091001']) {
      expect({ tag, present: tag in ds }).toEqual({ tag, present: false });
    }
    const nested = value(ds, '00081115')![0] as DicomDataset;
    expect('00080080' in nested).toBe(false); // InstitutionName inside a kept sequence
    expect('00111010' in nested).toBe(false); // private element inside a kept sequence
    expect(report.privateElementsRemoved).toBe(3);
  });

  it('K keeps: PatientSex (Retain Patient Characteristics) and the attributes the profile does not list', () => {
    const { ds } = deidentified();
    expect(value(ds, '00100040')).toEqual(['F']);
    expect(value(ds, '00080060')).toEqual(['DX']); // Modality
    expect(value(ds, '00180015')).toEqual(['CHEST']); // BodyPartExamined
    expect(value(ds, '00185101')).toEqual(['PA']); // ViewPosition
    expect(value(ds, '00080016')).toEqual(['1.2.840.10008.5.1.4.1.1.1.1']); // SOPClassUID is not replaced
  });

  it('C cleans descriptors down to radiography vocabulary, and drops one with nothing left', () => {
    const { ds } = deidentified();
    expect(value(ds, '00081030')).toEqual(['CHEST PA']); // StudyDescription
    expect(value(ds, '00181030')).toEqual(['CHEST AP PORTABLE']); // ProtocolName
    expect('0008103E' in ds).toBe(false); // SeriesDescription held only a name
    expect(cleanDescriptor('Thorax p.a. + lat, 2 views')).toBe('THORAX LAT VIEWS');
    expect(cleanDescriptor('X-Ray Chest 1V')).toBe('XRAY CHEST 1V');
    expect(cleanDescriptor('Müller 12/03/1950')).toBeNull();
  });

  it('U replaces UIDs with keyed 2.25 UIDs, consistently across instances and references, differently per key', () => {
    const { ds, meta, uids } = deidentified();
    const studyUid = value(ds, '0020000D')![0] as string;
    const sopUid = value(ds, '00080018')![0] as string;
    for (const uid of [studyUid, sopUid, value(ds, '0020000E')![0] as string, value(ds, '00200052')![0] as string]) {
      expect(uid).toMatch(UID);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(Object.values(uids)).not.toContain(uid);
    }
    expect(studyUid).toBe(replacementUid(uids.study, KEYS.uidKey));
    expect(value(meta, '00020003')).toEqual([sopUid]); // MediaStorageSOPInstanceUID follows SOPInstanceUID
    const nested = value(ds, '00081115')![0] as DicomDataset;
    expect(value(nested, '0020000E')).toEqual(value(ds, '0020000E'));
    expect(value(value(nested, '0008114A')![0] as DicomDataset, '00081155')).toEqual([sopUid]); // a reference still resolves
    expect(replacementUid(uids.study, 'another hospital key')).not.toBe(studyUid);
    expect(value(meta, '00020010')).toEqual(['1.2.840.10008.1.2.1']); // the transfer syntax is not a UID to replace
  });

  it('records the de-identification: PatientIdentityRemoved, method and DCM 113100', () => {
    const { ds } = deidentified();
    expect(value(ds, '00120062')).toEqual(['YES']);
    expect((value(ds, '00120063') as string[])[0]).toBe('DICOM PS3.15 E.1 Basic Profile');
    const codes = (value(ds, '00120064') as DicomDataset[]).map((item) => [value(item, '00080100')?.[0], value(item, '00080102')?.[0], value(item, '00080104')?.[0]]);
    expect(codes).toContainEqual(['113100', 'DCM', 'Basic Application Confidentiality Profile']);
    expect(codes.map((c) => c[0])).not.toContain('113101'); // no pixel cleaning was claimed here
    expect(value(ds, '00280303')).toEqual(['REMOVED']);
  });

  it('writes a valid file without any of the identifying values (read back by another parser)', () => {
    const { written } = deidentified();
    const parsed = dicomParser.parseDicom(new Uint8Array(written));
    expect(parsed.string('x00100020')).toBe(KEYS.patientPseudonym);
    const text = written.toString('latin1');
    for (const phi of ['Lamarr', 'Hedy', 'MRN-DCM-42', '19141109', 'ACC-DCM-42', 'House', 'General Hospital', 'XR-ROOM-3', 'Tina', 'Rita', 'Smith', 'ward 7', 'Vienna', 'ALT-123', 'EMP-9', 'ACME', '20240601']) {
      expect({ phi, found: text.includes(phi) }).toEqual({ phi, found: false });
    }
  });
});

describe('deidentifyDicomFile: pixel data', () => {
  const width = 40;
  const height = 30;
  /** A 16-bit image: a smooth background with a bright "text" block at rows 4..9, columns 5..30. */
  const storedAt = (x: number, y: number) => (x >= 5 && x <= 30 && y >= 4 && y <= 9 ? 4095 : 1000 + x * 3 + y);
  const gray = new Uint8Array(width * height);
  const box = { left: 3, top: 2, width: 30, height: 10 };

  it('paints burned-in text boxes in the stored 16-bit samples and nothing else', () => {
    const bytes = buildDicom({ width, height, gray, bits: 16, bitsStored: 12, stored: () => 0, attributes: { PatientName: 'Doe^Jane', PatientID: 'MRN-PX' } });
    const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const samples = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples[y * width + x] = storedAt(x, y);
    dicom.dict['7FE00010'] = { vr: 'OW', Value: [samples.buffer] };
    const input = Buffer.from(dicom.write());

    const out = deidentifyDicomFile(input, KEYS, { boxes: [box], rendition: { gray, width, height } });
    expect(out.pixels).toBe('painted');
    const file = readDicomFile(out.bytes, { maxInflatedBytes: 1e8 });
    const px = file.dataSet.byteArray;
    const start = file.pixelElement!.dataOffset;
    const result = new Uint16Array(new Uint8Array(px.subarray(start, start + width * height * 2)).buffer);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
        if (!inside) expect(result[y * width + x]).toBe(storedAt(x, y));
        else expect(result[y * width + x]).toBeLessThan(1200); // the local background, not the 4095 text
      }
    }
    expect(file.header.patientId).toBe(KEYS.patientPseudonym);
    expect(file.header.patientName).toBeUndefined();
    const parsed = dicomParser.parseDicom(new Uint8Array(out.bytes));
    expect(parsed.string('x00280301')).toBe('NO'); // BurnedInAnnotation
    expect(parsed.uint16('x00280100')).toBe(16); // bit depth kept
  });

  it('replaces pixel data it cannot paint in place (here RGB) with the cleaned rendition', () => {
    const rgb = new Uint8Array(width * height * 3).fill(200);
    const bytes = buildDicom({ width, height, gray: rgb, attributes: { SamplesPerPixel: 3, PhotometricInterpretation: 'RGB', PlanarConfiguration: 0 } as never });
    const rendition = { gray: new Uint8Array(width * height).fill(77), width, height };
    const out = deidentifyDicomFile(bytes, KEYS, { boxes: [box], rendition });
    expect(out.pixels).toBe('replaced');
    const parsed = dicomParser.parseDicom(new Uint8Array(out.bytes));
    expect(parsed.string('x00280004')).toBe('MONOCHROME2');
    expect(parsed.uint16('x00280002')).toBe(1);
    const element = parsed.elements.x7fe00010!;
    expect([...new Uint8Array(out.bytes.buffer, out.bytes.byteOffset + element.dataOffset, 4)]).toEqual([77, 77, 77, 77]);
    const codes = parsed.elements.x00120064!.items!.map((item) => item.dataSet!.string('x00080100'));
    expect(codes).toContain('113101'); // Clean Pixel Data Option
  });
});
