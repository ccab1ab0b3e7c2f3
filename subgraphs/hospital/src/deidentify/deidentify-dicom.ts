import { createHmac } from 'node:crypto';
import dcmjs, { type DicomDataset, type DicomDictInstance, type DicomElement } from 'dcmjs';
import { BASIC_PROFILE, type ActionCode, type ProfileRow } from './basic-profile.data.js';
import { cleanDescriptor } from './clean-descriptor.js';
import { fillBoxesWithLocalMedian, type PixelBox } from './pixel-fill.js';
import type { GrayImage } from './text-detection.js';

dcmjs.log.setLevel('error');

export interface DicomDeidentificationKeys {
  /** Key of the UID mapping (U): the same UID under the same key always maps to the same new UID. */
  uidKey: Uint8Array | string;
  /** Written as PatientID: Z allows "a non-zero length value that may be a dummy value". */
  patientPseudonym: string;
}

export interface DicomDeidentificationReport {
  /** How many elements each action touched, nested sequences included. */
  actions: Record<ActionCode, number>;
  privateElementsRemoved: number;
}

const EXACT_ROWS = new Map<string, ProfileRow>();
const PATTERN_ROWS: { pattern: RegExp; row: ProfileRow }[] = [];
for (const row of BASIC_PROFILE) {
  if (/x/i.test(row.tag)) PATTERN_ROWS.push({ pattern: new RegExp(`^${row.tag.toUpperCase().replace(/X/g, '[0-9A-F]')}$`), row });
  else EXACT_ROWS.set(row.tag.toUpperCase(), row);
}

/** The profile row for a tag ("00100010"), if the table lists it. */
export function profileRowFor(tag: string): ProfileRow | undefined {
  const upper = tag.toUpperCase();
  return EXACT_ROWS.get(upper) ?? PATTERN_ROWS.find(({ pattern }) => pattern.test(upper))?.row;
}

/** Odd groups are private (creators included); group 0001, 0003, 0005, 0007 and FFFF are not valid public groups either. */
export const isPrivateTag = (tag: string) => parseInt(tag.slice(0, 4), 16) % 2 === 1;

/**
 * U: a UID derived from the original with HMAC-SHA256 under the hospital's key, as "2.25." plus the
 * decimal value of a 128-bit UUID (PS3.5 B.2; version 8, RFC 9562). Consistent (references between
 * instances still match), not reversible without the key, and different for another hospital.
 */
export function replacementUid(uid: string, key: Uint8Array | string): string {
  const bytes = createHmac('sha256', key).update(uid.replace(/\0/g, '').trim()).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

/** D: a non-zero-length dummy value of the VR. */
function dummyValue(vr: string, uidKey: Uint8Array | string, original: unknown[]): unknown[] {
  switch (vr) {
    case 'PN':
      return [{ Alphabetic: 'ANONYMIZED' }];
    case 'DA':
      return ['19000101'];
    case 'TM':
      return ['000000'];
    case 'DT':
      return ['19000101000000'];
    case 'AS':
      return ['000Y'];
    case 'IS':
    case 'DS':
    case 'US':
    case 'SS':
    case 'UL':
    case 'SL':
    case 'FL':
    case 'FD':
      return [0];
    case 'UI':
      return original.map((uid) => replacementUid(String(uid), uidKey));
    case 'SQ':
      return [{}];
    case 'AE':
    case 'CS':
    case 'SH':
    case 'LO':
    case 'ST':
    case 'LT':
    case 'UT':
    case 'UC':
    case 'UR':
      return ['ANONYMIZED'];
    default:
      return [];
  }
}

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'CS']);

/**
 * De-identifies a dataset in place with the PS3.15 E.1 Basic Application Level Confidentiality
 * Profile as tabled in basic-profile.data.ts (plus its Clean Descriptors and, for sex only, Retain
 * Patient Characteristics options), recursively through sequences: private elements removed, UIDs
 * replaced with the keyed mapping (file meta included), PatientID set to the pseudonym, and the
 * de-identification recorded: PatientIdentityRemoved (0012,0062) YES, DeidentificationMethod
 * (0012,0063), DeidentificationMethodCodeSequence (0012,0064) with DCM 113100 and the options applied,
 * LongitudinalTemporalInformationModified (0028,0303) REMOVED. `pixelsCleaned` adds 113101 (Clean
 * Pixel Data) and sets BurnedInAnnotation (0028,0301) NO: only pass it when the pixels were cleaned.
 */
export function deidentifyDicom(
  dicom: DicomDictInstance,
  keys: DicomDeidentificationKeys,
  options: { pixelsCleaned?: boolean } = {},
): DicomDeidentificationReport {
  const report: DicomDeidentificationReport = { actions: { D: 0, Z: 0, X: 0, K: 0, C: 0, U: 0 }, privateElementsRemoved: 0 };
  deidentifyMeta(dicom.meta, keys);
  deidentifyDataset(dicom.dict, keys, report);

  const ds = dicom.dict;
  ds['00100020'] = { vr: 'LO', Value: [keys.patientPseudonym] };
  ds['00100010'] ??= { vr: 'PN', Value: [] };
  ds['00120062'] = { vr: 'CS', Value: ['YES'] };
  const methods = [
    { code: '113100', meaning: 'Basic Application Confidentiality Profile' },
    ...(options.pixelsCleaned ? [{ code: '113101', meaning: 'Clean Pixel Data Option' }] : []),
    { code: '113105', meaning: 'Clean Descriptors Option' },
    { code: '113108', meaning: 'Retain Patient Characteristics Option' },
  ];
  ds['00120063'] = {
    vr: 'LO',
    Value: [
      'DICOM PS3.15 E.1 Basic Profile',
      ...(options.pixelsCleaned ? ['Clean Pixel Data: burned-in text boxes painted'] : []),
      'Clean Descriptors: radiography vocabulary only',
      'Retain Patient Characteristics: sex only',
    ],
  };
  ds['00120064'] = {
    vr: 'SQ',
    Value: methods.map(({ code, meaning }) => ({
      '00080100': { vr: 'SH', Value: [code] },
      '00080102': { vr: 'SH', Value: ['DCM'] },
      '00080104': { vr: 'LO', Value: [meaning] },
    })),
  };
  ds['00280303'] = { vr: 'CS', Value: ['REMOVED'] };
  if (options.pixelsCleaned) ds['00280301'] = { vr: 'CS', Value: ['NO'] };
  return report;
}

/** File meta: the media storage UID follows SOPInstanceUID; the sending and receiving AE titles and private information go. */
function deidentifyMeta(meta: DicomDataset, keys: DicomDeidentificationKeys): void {
  const sopInstance = meta['00020003'];
  if (sopInstance?.Value) meta['00020003'] = { vr: 'UI', Value: sopInstance.Value.map((uid) => replacementUid(String(uid), keys.uidKey)) };
  for (const tag of ['00020016', '00020017', '00020018', '00020100', '00020102']) delete meta[tag];
}

function deidentifyDataset(ds: DicomDataset, keys: DicomDeidentificationKeys, report: DicomDeidentificationReport): void {
  for (const tag of Object.keys(ds)) {
    const element = ds[tag]!;
    if (isPrivateTag(tag)) {
      delete ds[tag];
      report.privateElementsRemoved++;
      continue;
    }
    const row = profileRowFor(tag);
    if (!row) {
      if (element.vr === 'SQ') deidentifyItems(element, keys, report);
      continue;
    }
    report.actions[row.action]++;
    applyAction(ds, tag, element, row.action, keys, report);
  }
}

function deidentifyItems(element: DicomElement, keys: DicomDeidentificationKeys, report: DicomDeidentificationReport): void {
  for (const item of element.Value ?? []) if (item && typeof item === 'object') deidentifyDataset(item as DicomDataset, keys, report);
}

function applyAction(
  ds: DicomDataset,
  tag: string,
  element: DicomElement,
  action: ActionCode,
  keys: DicomDeidentificationKeys,
  report: DicomDeidentificationReport,
): void {
  const values = element.Value ?? [];
  switch (action) {
    case 'X':
      delete ds[tag];
      return;
    case 'Z':
      ds[tag] = { vr: element.vr, Value: [] };
      return;
    case 'D':
      ds[tag] = { vr: element.vr, Value: dummyValue(element.vr, keys.uidKey, values) };
      return;
    case 'K':
      if (element.vr === 'SQ') deidentifyItems(element, keys, report);
      return;
    case 'U':
      ds[tag] = { vr: element.vr, Value: values.map((uid) => replacementUid(String(uid), keys.uidKey)) };
      return;
    case 'C': {
      const cleaned = TEXT_VRS.has(element.vr)
        ? values.map((value) => cleanDescriptor(String(value ?? ''))).filter((value): value is string => value !== null)
        : [];
      if (cleaned.length) ds[tag] = { vr: element.vr, Value: cleaned };
      else delete ds[tag];
      return;
    }
  }
}

const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
};
/** Pixel data dcmjs gives us as plain little-endian samples (it inflates deflated data sets). */
const NATIVE_LITTLE_ENDIAN = new Set(Object.values(TRANSFER_SYNTAX));

export interface PixelCleaning {
  /** Boxes to paint, in the image's pixels (rows x columns). */
  boxes: readonly PixelBox[];
  /** The cleaned 8-bit rendition, for pixel data that cannot be painted in place. */
  rendition: GrayImage;
}

export interface DeidentifiedDicom {
  bytes: Buffer;
  report: DicomDeidentificationReport;
  /** "painted": the stored samples were painted in place; "replaced": the pixel data is now the cleaned 8-bit rendition. */
  pixels: 'painted' | 'replaced' | 'untouched';
}

/**
 * A de-identified copy of a DICOM Part 10 file. With `pixels`, burned-in text is removed too:
 * uncompressed single-frame grayscale data is painted in place in its own units (bit depth kept);
 * anything else (compressed, color, big endian, multi-frame) gets the cleaned 8-bit rendition as
 * its pixel data (MONOCHROME2, Explicit VR Little Endian), LUT attributes dropped.
 */
export function deidentifyDicomFile(bytes: Uint8Array, keys: DicomDeidentificationKeys, pixels?: PixelCleaning): DeidentifiedDicom {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dicom = dcmjs.data.DicomMessage.readFile(copy);
  const syntax = String(dicom.meta['00020010']?.Value?.[0] ?? '');
  let outcome: DeidentifiedDicom['pixels'] = 'untouched';
  if (pixels && dicom.dict['7FE00010']) outcome = paintInPlace(dicom.dict, syntax, pixels.boxes) ? 'painted' : replaceWithRendition(dicom.dict, pixels.rendition);
  // dcmjs writes what it read uncompressed: say so (a deflated input would otherwise be mislabelled).
  if (outcome === 'replaced' || syntax === TRANSFER_SYNTAX.deflated || !syntax) {
    dicom.meta['00020010'] = { vr: 'UI', Value: [TRANSFER_SYNTAX.explicitLittle] };
  }
  const report = deidentifyDicom(dicom, keys, { pixelsCleaned: outcome !== 'untouched' });
  return { bytes: Buffer.from(dicom.write()), report, pixels: outcome };
}

const first = (ds: DicomDataset, tag: string): unknown => ds[tag]?.Value?.[0];

function paintInPlace(ds: DicomDataset, syntax: string, boxes: readonly PixelBox[]): boolean {
  const rows = Number(first(ds, '00280010'));
  const columns = Number(first(ds, '00280011'));
  const bitsAllocated = Number(first(ds, '00280100'));
  const frames = Number(first(ds, '00280008') ?? 1);
  const photometric = String(first(ds, '00280004') ?? '').trim();
  const signed = Number(first(ds, '00280103') ?? 0) === 1;
  const data = first(ds, '7FE00010');
  if (!NATIVE_LITTLE_ENDIAN.has(syntax) || !(data instanceof ArrayBuffer)) return false;
  if (Number(first(ds, '00280002') ?? 1) !== 1 || !/^MONOCHROME[12]$/.test(photometric) || frames !== 1) return false;
  const samples = rows * columns;
  if (!(samples > 0) || (bitsAllocated !== 8 && bitsAllocated !== 16) || data.byteLength < samples * (bitsAllocated / 8)) return false;
  const view =
    bitsAllocated === 8 ? new Uint8Array(data, 0, samples) : signed ? new Int16Array(data, 0, samples) : new Uint16Array(data, 0, samples);
  fillBoxesWithLocalMedian(view, columns, rows, boxes);
  return true;
}

function replaceWithRendition(ds: DicomDataset, rendition: GrayImage): 'replaced' {
  for (const tag of [
    '00280006', // PlanarConfiguration
    '00280008', // NumberOfFrames
    '00281050', // WindowCenter
    '00281051', // WindowWidth
    '00281055', // WindowCenterWidthExplanation
    '00281052', // RescaleIntercept
    '00281053', // RescaleSlope
    '00281054', // RescaleType
    '00283000', // ModalityLUTSequence
    '00283010', // VOILUTSequence
    '00281040', // PixelIntensityRelationship
    '00281041', // PixelIntensityRelationshipSign
  ]) {
    delete ds[tag];
  }
  Object.assign(ds, {
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [rendition.height] },
    '00280011': { vr: 'US', Value: [rendition.width] },
    '00280100': { vr: 'US', Value: [8] },
    '00280101': { vr: 'US', Value: [8] },
    '00280102': { vr: 'US', Value: [7] },
    '00280103': { vr: 'US', Value: [0] },
    '7FE00010': { vr: 'OB', Value: [rendition.gray.slice().buffer] },
  } satisfies DicomDataset);
  return 'replaced';
}
