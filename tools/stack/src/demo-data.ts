/** Fictional demo patients: none of these people exist. */
const FIRST = ['Alex', 'Sam', 'Robin', 'Jordan', 'Casey', 'Morgan', 'Taylor', 'Jamie', 'Riley', 'Avery', 'Quinn', 'Dana'];
const LAST = ['Example', 'Sample', 'Fictus', 'Placeholder', 'Testwell', 'Demoson', 'Mockridge', 'Nullman'];

export interface DemoPatient {
  mrn: string;
  name: string;
  birthDate: string;
  sex: 'FEMALE' | 'MALE' | 'OTHER' | 'UNKNOWN';
}

export function demoPatients(slug: string, count: number): DemoPatient[] {
  return Array.from({ length: count }, (_, i) => ({
    mrn: `${slug.toUpperCase().slice(0, 3)}-${String(1000 + i)}`,
    name: `${FIRST[(i * 5 + slug.length) % FIRST.length]} ${LAST[(i * 3 + slug.length) % LAST.length]}`,
    birthDate: `${2012 + (i % 10)}-0${1 + (i % 9)}-1${i % 10}`,
    sex: (['FEMALE', 'MALE'] as const)[i % 2]!,
  }));
}

async function call<T>(gatewayUrl: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as T;
}

/** Creates demo patients and studies through the public API, as the hospital's integration would. */
export async function seedClinicalData(gatewayUrl: string, hospital: { id: string; slug: string }, apiKey: string): Promise<number> {
  const { exchangeApiKey } = await call<{ exchangeApiKey: { token: string } }>(
    gatewayUrl,
    'mutation Exchange($apiKey: String!) { exchangeApiKey(apiKey: $apiKey) { token } }',
    { apiKey },
  );
  const token = exchangeApiKey.token;
  const patients = demoPatients(hospital.slug, 6);
  for (const [i, patient] of patients.entries()) {
    const { createPatient } = await call<{ createPatient: { id: string } }>(
      gatewayUrl,
      'mutation P($h: ID!, $input: CreatePatientInput!) { createPatient(hospitalId: $h, input: $input) { id } }',
      { h: hospital.id, input: patient },
      token,
    );
    await call(
      gatewayUrl,
      'mutation S($h: ID!, $input: CreateStudyInput!) { createStudy(hospitalId: $h, input: $input) { id } }',
      {
        h: hospital.id,
        input: {
          patientId: createPatient.id,
          accessionNumber: `${hospital.slug.toUpperCase()}-ACC-${String(i + 1).padStart(4, '0')}`,
          modality: 'CR',
          bodyPart: 'CHEST',
          acquiredAt: new Date(Date.now() - i * 3_600_000).toISOString(),
        },
      },
      token,
    );
  }
  return patients.length;
}
