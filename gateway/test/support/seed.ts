import type { Platform } from './platform.js';

let counter = 0;

/** Seed builder: a patient with one study at a hospital, created through the gateway as its integration. */
export async function createPatientWithStudy(
  platform: Platform,
  slug: string,
  token: string,
  name = `Patient ${slug} ${++counter}`,
): Promise<{ hospitalId: string; patientId: string; studyId: string; name: string; accessionNumber: string }> {
  const hospitalId = platform.hospital(slug).id;
  const n = ++counter;
  const patient = await platform.query(
    'mutation P($h: ID!, $input: CreatePatientInput!) { createPatient(hospitalId: $h, input: $input) { id } }',
    { h: hospitalId, input: { mrn: `MRN-${slug}-${n}-${Date.now()}`, name, birthDate: '2015-04-0' + ((n % 9) + 1), sex: 'FEMALE' } },
    token,
  );
  if (!patient.data) throw new Error(JSON.stringify(patient.errors));
  const patientId = patient.data.createPatient.id as string;
  const accessionNumber = `ACC-${slug}-${n}-${Date.now()}`;
  const study = await platform.query(
    'mutation S($h: ID!, $input: CreateStudyInput!) { createStudy(hospitalId: $h, input: $input) { id } }',
    { h: hospitalId, input: { patientId, accessionNumber } },
    token,
  );
  if (!study.data) throw new Error(JSON.stringify(study.errors));
  return { hospitalId, patientId, studyId: study.data.createStudy.id as string, name, accessionNumber };
}
