import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ageInYears, sexLabel } from '../common/format';
import type { PatientFieldsFragment, Sex } from '../gql/graphql';
import { errorCode, errorMessage } from '../graphql/errors';
import { CreatePatientMutation, PatientSearchQuery } from './upload.graphql';

const SEARCH_DELAY_MS = 250;
const SEXES: Sex[] = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'];

function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

export function describePatient(patient: PatientFieldsFragment): string {
  const age = ageInYears(patient.birthDate);
  return `${patient.name} · MRN ${patient.mrn} · born ${patient.birthDate ?? "unknown"}${age != null ? ` (${age} y)` : ''} · ${sexLabel(patient.sex)}`;
}

/** Find the patient by name (newest patients first when the box is empty) or register a new one. */
export function PatientPicker({
  hospitalId,
  selected,
  onSelect,
  disabled,
}: {
  hospitalId: string;
  selected: PatientFieldsFragment | null;
  onSelect(patient: PatientFieldsFragment | null): void;
  disabled: boolean;
}) {
  const searchId = useId();
  const groupName = useId();
  const [term, setTerm] = useState('');
  const [creating, setCreating] = useState(false);
  const debounced = useDebounced(term.trim(), SEARCH_DELAY_MS);
  const [result] = useQuery({
    query: PatientSearchQuery,
    variables: { hospitalId, first: 10, filter: debounced ? { nameContains: debounced } : null },
    requestPolicy: 'cache-and-network',
  });
  const patients = result.data?.patients.edges.map((edge) => edge.node) ?? [];
  const total = result.data?.patients.totalCount ?? 0;

  return (
    <div className="patient-picker">
      {selected && (
        <p className="selected-patient" role="status">
          Selected: <strong>{describePatient(selected)}</strong>
        </p>
      )}
      <div className="field">
        <label htmlFor={searchId}>Search patients by name</label>
        <input
          id={searchId}
          type="search"
          value={term}
          autoComplete="off"
          disabled={disabled}
          onChange={(event) => setTerm(event.target.value)}
        />
      </div>
      {result.error ? (
        <p className="error" role="alert">
          Patients could not be searched: {errorMessage(result.error)}
        </p>
      ) : (
        <fieldset className="patient-results" disabled={disabled}>
          <legend>
            {debounced ? `Patients matching "${debounced}"` : 'Recent patients'}
            {total > patients.length ? ` (first ${patients.length} of ${total})` : ''}
          </legend>
          {patients.length === 0 ? (
            <p className="muted">{result.fetching ? 'Searching…' : 'No patient found. Register a new one below.'}</p>
          ) : (
            patients.map((patient) => (
              <div className="choice" key={patient.id}>
                <input
                  type="radio"
                  id={`${groupName}-${patient.id}`}
                  name={groupName}
                  checked={selected?.id === patient.id}
                  onChange={() => onSelect(patient)}
                />
                <label htmlFor={`${groupName}-${patient.id}`}>{describePatient(patient)}</label>
              </div>
            ))
          )}
        </fieldset>
      )}
      {creating ? (
        <NewPatientForm
          hospitalId={hospitalId}
          initialName={term.trim()}
          onCreated={(patient) => {
            onSelect(patient);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : (
        <button type="button" className="button" disabled={disabled} onClick={() => setCreating(true)}>
          Register a new patient
        </button>
      )}
    </div>
  );
}

function NewPatientForm({
  hospitalId,
  initialName,
  onCreated,
  onCancel,
}: {
  hospitalId: string;
  initialName: string;
  onCreated(patient: PatientFieldsFragment): void;
  onCancel(): void;
}) {
  const id = useId();
  const [{ fetching }, createPatient] = useMutation(CreatePatientMutation);
  const [mrn, setMrn] = useState('');
  const [name, setName] = useState(initialName);
  const [birthDate, setBirthDate] = useState('');
  const [sex, setSex] = useState<Sex>('UNKNOWN');
  const [error, setError] = useState<string | null>(null);
  const today = new Date().toISOString().slice(0, 10);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!mrn.trim() || !name.trim() || !birthDate) {
      setError('MRN, name and birth date are required.');
      return;
    }
    setError(null);
    const result = await createPatient({ hospitalId, input: { mrn: mrn.trim(), name: name.trim(), birthDate, sex } });
    if (result.error || !result.data) {
      setError(
        errorCode(result.error) === 'CONFLICT'
          ? `A patient with MRN ${mrn.trim()} already exists. Search for them instead.`
          : errorMessage(result.error, 'The patient could not be registered.'),
      );
      return;
    }
    onCreated(result.data.createPatient);
  }

  return (
    <form className="new-patient" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New patient</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-mrn`}>Medical record number (MRN)</label>
          <input id={`${id}-mrn`} required value={mrn} onChange={(event) => setMrn(event.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Full name</label>
          <input id={`${id}-name`} required value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-birth`}>Birth date</label>
          <input id={`${id}-birth`} type="date" required max={today} value={birthDate} onChange={(event) => setBirthDate(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sex`}>Sex</label>
          <select id={`${id}-sex`} value={sex} onChange={(event) => setSex(event.target.value as Sex)}>
            {SEXES.map((value) => (
              <option key={value} value={value}>
                {sexLabel(value)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={fetching}>
          {fetching ? 'Registering…' : 'Register patient'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
