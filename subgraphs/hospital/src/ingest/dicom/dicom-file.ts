import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { Sex } from '../../patient/patient.entity.js';
import { formatBytes, ingestError, IngestError } from '../ingest-error.js';

/**
 * Reading DICOM Part 10 files with dicom-parser: the attributes ingest needs from the header, and
 * where the pixels are. dicom-parser indexes elements without copying the pixel data, so a 64 MiB
 * file costs one pass. Nothing here logs or quotes header values: they are patient data.
 */

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

/** Transfer syntaxes whose pixels are stored as plain samples. */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.deflatedExplicitLittle,
  TRANSFER_SYNTAX.explicitBig,
]);

/** Names of compressed transfer syntaxes, for the message refusing the ones we cannot decode. */
const COMPRESSED_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

export function transferSyntaxName(uid: string): string {
  return COMPRESSED_NAMES[uid] ?? 'an unknown transfer syntax';
}

const TAG = {
  transferSyntaxUid: 'x00020010',
  specificCharacterSet: 'x00080005',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  accessionNumber: 'x00080050',
  modality: 'x00080060',
  timezoneOffsetFromUtc: 'x00080201',
  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',
  bodyPartExamined: 'x00180015',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  pixelPaddingValue: 'x00280120',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  voiLutFunction: 'x00281056',
  pixelData: 'x7fe00010',
} as const;

/** Patient and study attributes from the header; absent when missing, empty or not usable. */
export interface DicomHeader {
  patientId?: string;
  /** "Given Middle Family" from DICOM's "Family^Given^Middle^Prefix^Suffix". */
  patientName?: string;
  /** "YYYY-MM-DD". */
  birthDate?: string;
  sex?: Sex;
  accessionNumber?: string;
  modality?: string;
  bodyPart?: string;
  /** StudyDate + StudyTime, at TimezoneOffsetFromUTC when given, else read as UTC. */
  acquiredAt?: Date;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
}

/** The Image Pixel, Modality LUT and VOI LUT attributes rendering needs. */
export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  numberOfFrames: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  pixelPaddingValue?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  voiLutFunction: string;
}

export interface DicomFile {
  transferSyntaxUid: string;
  header: DicomHeader;
  /** Null when the file has no (7FE0,0010) Pixel Data. */
  pixels: PixelModule | null;
  dataSet: DataSet;
  pixelElement: Element | null;
}

export interface DicomReadLimits {
  /** A deflated data set may not inflate beyond this many bytes (a zip bomb costs nothing). */
  maxInflatedBytes: number;
}

/** Parses a DICOM Part 10 file. Throws IngestError CORRUPT_IMAGE for anything unreadable. */
export function readDicomFile(bytes: Uint8Array, limits: DicomReadLimits): DicomFile {
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      inflater: (array, position) => inflateBounded(array, position, limits.maxInflatedBytes),
    });
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the file starts like DICOM Part 10 but its data set cannot be read');
  }
  const transferSyntaxUid = uid(dataSet, TAG.transferSyntaxUid) ?? '';
  const pixelElement = dataSet.elements[TAG.pixelData] ?? null;
  return {
    transferSyntaxUid,
    header: readHeader(dataSet),
    pixels: pixelElement ? readPixelModule(dataSet) : null,
    dataSet,
    pixelElement,
  };
}

function inflateBounded(array: Uint8Array, position: number, maxBytes: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(array.subarray(position), { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw ingestError('PAYLOAD_TOO_LARGE', `the deflated DICOM data set inflates to more than ${formatBytes(maxBytes)}`);
    }
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the deflated data set cannot be inflated');
  }
  const whole = Buffer.alloc(position + inflated.length);
  whole.set(array.subarray(0, position), 0);
  whole.set(inflated, position);
  return whole;
}

function readPixelModule(ds: DataSet): PixelModule {
  const bitsAllocated = ds.uint16(TAG.bitsAllocated) ?? 0;
  const bitsStored = ds.uint16(TAG.bitsStored) ?? bitsAllocated;
  const pixelRepresentation = ds.uint16(TAG.pixelRepresentation) ?? 0;
  const padding = ds.elements[TAG.pixelPaddingValue] ? ds.uint16(TAG.pixelPaddingValue) : undefined;
  return {
    rows: ds.uint16(TAG.rows) ?? 0,
    columns: ds.uint16(TAG.columns) ?? 0,
    samplesPerPixel: ds.uint16(TAG.samplesPerPixel) ?? 1,
    photometricInterpretation: (ds.string(TAG.photometricInterpretation) ?? '').trim().toUpperCase(),
    planarConfiguration: ds.uint16(TAG.planarConfiguration) ?? 0,
    numberOfFrames: Math.max(1, finite(ds.intString(TAG.numberOfFrames)) ?? 1),
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16(TAG.highBit) ?? bitsStored - 1,
    pixelRepresentation,
    // US or SS depending on Pixel Representation; read as 16 bits and sign it here.
    pixelPaddingValue: padding === undefined ? undefined : pixelRepresentation === 1 && padding > 0x7fff ? padding - 0x10000 : padding,
    rescaleSlope: finite(ds.floatString(TAG.rescaleSlope)),
    rescaleIntercept: finite(ds.floatString(TAG.rescaleIntercept)),
    windowCenter: finite(ds.floatString(TAG.windowCenter, 0)),
    windowWidth: finite(ds.floatString(TAG.windowWidth, 0)),
    voiLutFunction: (ds.string(TAG.voiLutFunction) ?? 'LINEAR').trim().toUpperCase(),
  };
}

const finite = (value: number | undefined): number | undefined => (value !== undefined && Number.isFinite(value) ? value : undefined);

function readHeader(ds: DataSet): DicomHeader {
  const charset = ds.string(TAG.specificCharacterSet) ?? '';
  const text = (tag: string) => decodedText(ds, tag, charset);
  const header: DicomHeader = {
    patientId: text(TAG.patientId),
    patientName: personName(text(TAG.patientName)),
    birthDate: dicomDate(ds.string(TAG.patientBirthDate)),
    sex: dicomSex(ds.string(TAG.patientSex)),
    accessionNumber: text(TAG.accessionNumber),
    modality: ds.string(TAG.modality)?.trim() || undefined,
    bodyPart: ds.string(TAG.bodyPartExamined)?.trim() || undefined,
    acquiredAt: dicomDateTime(ds.string(TAG.studyDate), ds.string(TAG.studyTime), ds.string(TAG.timezoneOffsetFromUtc)),
    studyInstanceUid: uid(ds, TAG.studyInstanceUid),
    seriesInstanceUid: uid(ds, TAG.seriesInstanceUid),
    sopInstanceUid: uid(ds, TAG.sopInstanceUid),
    sopClassUid: uid(ds, TAG.sopClassUid),
  };
  for (const key of Object.keys(header) as (keyof DicomHeader)[]) if (header[key] === undefined) delete header[key];
  return header;
}

function uid(ds: DataSet, tag: string): string | undefined {
  const value = ds.string(tag)?.replace(/\0/g, '').trim();
  return value && /^[0-9.]{1,64}$/.test(value) ? value : undefined;
}

/**
 * Text of a string element in the data set's character set. dicom-parser reads bytes as Latin-1;
 * names in UTF-8 (ISO_IR 192) or another single-byte set are decoded here. ISO 2022 code
 * extensions fall back to their first set.
 */
const CHARSETS: Record<string, string> = {
  'ISO_IR 192': 'utf-8',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

function decodedText(ds: DataSet, tag: string, charset: string): string | undefined {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return undefined;
  const first = charset.split('\\').map((s) => s.trim().replace(/^ISO 2022 IR/, 'ISO_IR')).find(Boolean) ?? '';
  const encoding = CHARSETS[first] ?? 'latin1';
  const raw = ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  let value: string;
  try {
    value = new TextDecoder(encoding).decode(raw);
  } catch {
    value = new TextDecoder('latin1').decode(raw);
  }
  const trimmed = value.replace(/[\0\s]+$/u, '').trim();
  return trimmed && !/[\u0000-\u0008\u000b-\u001f]/.test(trimmed) ? trimmed : undefined;
}

/** "Family^Given^Middle^Prefix^Suffix" (first, alphabetic group) -> "Prefix Given Middle Family Suffix". */
export function personName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (value.split('=')[0] ?? '').split('^').map((p) => p.trim());
  const name = [prefix, given, middle, family, suffix].filter(Boolean).join(' ').replace(/\s+/g, ' ');
  return name || undefined;
}

/** DA "YYYYMMDD" (or the retired "YYYY.MM.DD") -> "YYYY-MM-DD" when it is a real calendar date. */
export function dicomDate(value: string | undefined): string | undefined {
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}

/** DA + TM ("HHMMSS.FFFFFF", parts optional, or the retired "HH:MM:SS") + "+HHMM" offset -> instant. */
export function dicomDateTime(date: string | undefined, time: string | undefined, offset: string | undefined): Date | undefined {
  const day = dicomDate(date);
  if (!day) return undefined;
  const t = /^(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?(?:\.(\d{1,6}))?$/.exec(time?.trim() ?? '');
  const [hh, mm, ss] = t ? [Number(t[1]), Number(t[2] ?? 0), Number(t[3] ?? 0)] : [0, 0, 0];
  const ms = t?.[4] ? Math.floor(Number(`0.${t[4]}`) * 1000) : 0;
  if (hh > 23 || mm > 59 || ss > 60) return undefined;
  const tz = /^([+-])(\d{2})(\d{2})$/.exec(offset?.trim() ?? '');
  const offsetMinutes = tz ? (tz[1] === '-' ? -1 : 1) * (Number(tz[2]) * 60 + Number(tz[3])) : 0;
  const utc = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), hh, mm, Math.min(ss, 59), ms);
  return new Date(utc - offsetMinutes * 60_000);
}

function dicomSex(value: string | undefined): Sex | undefined {
  switch (value?.trim().toUpperCase()) {
    case 'F':
      return Sex.FEMALE;
    case 'M':
      return Sex.MALE;
    case 'O':
      return Sex.OTHER;
    default:
      return undefined;
  }
}
