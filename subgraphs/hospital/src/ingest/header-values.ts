import { requireAcquiredAt, requireBirthDate, requireDicomCode, requireText } from '../common/validation.js';
import { MRN_MAX, NAME_MAX } from '../patient/patient.service.js';
import { Sex } from '../patient/patient.entity.js';
import { ACCESSION_MAX, BODY_PART_MAX, MODALITY_MAX } from '../study/study.service.js';
import type { DicomHeader } from './dicom/dicom-file.js';

/**
 * DICOM header values checked like GraphQL input. A value that fails a check is left out (the
 * study keeps its own value or the default) rather than refusing a modality's image over, say,
 * a malformed body part.
 */
const checked = <T>(check: () => T): T | undefined => {
  try {
    return check();
  } catch {
    return undefined;
  }
};

export interface HeaderPatient {
  mrn: string;
  name: string;
  birthDate: string | null;
  sex: Sex;
}

/** The patient a header names, or null when it has no usable PatientID. */
export function patientFromHeader(header: DicomHeader): HeaderPatient | null {
  const mrn = header.patientId ? checked(() => requireText(header.patientId!, 'PatientID', MRN_MAX)) : undefined;
  if (!mrn) return null;
  return {
    mrn,
    name: (header.patientName && checked(() => requireText(header.patientName!, 'PatientName', NAME_MAX))) || '',
    birthDate: (header.birthDate && checked(() => requireBirthDate(header.birthDate!))) || null,
    sex: header.sex ?? Sex.UNKNOWN,
  };
}

export interface HeaderStudy {
  accessionNumber?: string;
  modality?: string;
  bodyPart?: string;
  acquiredAt?: Date;
}

export function studyFromHeader(header: DicomHeader): HeaderStudy {
  return {
    accessionNumber: header.accessionNumber ? checked(() => requireText(header.accessionNumber!, 'AccessionNumber', ACCESSION_MAX)) : undefined,
    modality: header.modality ? checked(() => requireDicomCode(header.modality!, 'Modality', MODALITY_MAX)) : undefined,
    bodyPart: header.bodyPart ? checked(() => requireDicomCode(header.bodyPart!, 'BodyPartExamined', BODY_PART_MAX)) : undefined,
    acquiredAt: header.acquiredAt ? checked(() => requireAcquiredAt(header.acquiredAt!)) : undefined,
  };
}
