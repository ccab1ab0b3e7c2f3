import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { ReviewFinding } from '../gql/graphql';
import { errorMessage } from '../graphql/errors';
import { RecordReviewMutation } from './study.graphql';

const FINDINGS: { value: ReviewFinding; label: string; hint: string }[] = [
  { value: 'PNEUMONIA', label: 'Pneumonia', hint: 'Findings consistent with pneumonia' },
  { value: 'NORMAL', label: 'Normal', hint: 'No sign of pneumonia' },
  { value: 'UNCERTAIN', label: 'Uncertain', hint: 'Needs further work-up' },
];

export const NOTES_MAX_LENGTH = 4000;

/** The doctor's finding; recording it takes the study off everyone's waiting list. */
export function ReviewForm({ hospitalId, studyId, onRecorded }: { hospitalId: string; studyId: string; onRecorded(): void }) {
  const [{ fetching }, recordReview] = useMutation(RecordReviewMutation);
  const [finding, setFinding] = useState<ReviewFinding | null>(null);
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<string | null>(null);
  const notesId = useId();
  const notesHelpId = useId();
  const name = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!finding) {
      setError('Choose a finding.');
      return;
    }
    setError(null);
    setRecorded(null);
    const trimmed = notes.trim();
    const result = await recordReview({ hospitalId, studyId, finding, notes: trimmed === '' ? null : trimmed });
    if (result.error || !result.data) {
      setError(errorMessage(result.error, 'The finding could not be recorded.'));
      return;
    }
    setRecorded(`Finding recorded: ${FINDINGS.find((f) => f.value === finding)?.label ?? finding}.`);
    setFinding(null);
    setNotes('');
    onRecorded();
  }

  return (
    <form className="review-form" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Finding</legend>
        {FINDINGS.map((option) => (
          <div className="choice" key={option.value}>
            <input
              type="radio"
              id={`${name}-${option.value}`}
              name={name}
              value={option.value}
              checked={finding === option.value}
              onChange={() => setFinding(option.value)}
            />
            <label htmlFor={`${name}-${option.value}`}>
              {option.label} <span className="muted small">— {option.hint}</span>
            </label>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={notesId}>Notes (optional)</label>
        <textarea
          id={notesId}
          rows={4}
          maxLength={NOTES_MAX_LENGTH}
          value={notes}
          aria-describedby={notesHelpId}
          onChange={(event) => setNotes(event.target.value)}
        />
        <p id={notesHelpId} className="muted small">
          {notes.length} / {NOTES_MAX_LENGTH} characters
        </p>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="success" role="status">
        {recorded}
      </p>
      <button type="submit" className="button button--primary" disabled={fetching}>
        {fetching ? 'Recording…' : 'Record finding'}
      </button>
    </form>
  );
}
