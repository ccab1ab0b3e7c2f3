import { useEffect, useMemo, useRef, useState } from 'react';
import { routeHref } from '../app/router';
import { useSession } from '../app/context';
import { usePageTitle } from '../app/usePageTitle';
import { hospitalsWhere } from '../auth/roles';
import { ageInYears, formatDateTime, formatRisk, riskLevel, sexLabel, triageStatusLabel } from '../common/format';
import type { TriageStatus } from '../gql/graphql';
import { errorMessage } from '../graphql/errors';
import {
  announceArrivals,
  defaultFilters,
  matchesFilters,
  visibleItems,
  waitingCounts,
  type WorklistFilters,
  type WorklistItem,
} from './feed';
import { useWorklist } from './useWorklist';

const RISK_OPTIONS: { label: string; value: number | null }[] = [
  { label: 'Any risk', value: null },
  { label: '10% or more', value: 0.1 },
  { label: '25% or more', value: 0.25 },
  { label: '50% or more', value: 0.5 },
  { label: '75% or more', value: 0.75 },
  { label: '90% or more', value: 0.9 },
];

const STATUS_OPTIONS: { label: string; value: TriageStatus | null }[] = [
  { label: 'Waiting for review', value: 'WAITING' },
  { label: 'Awaiting model', value: 'AWAITING_PREDICTION' },
  { label: 'Awaiting image', value: 'AWAITING_IMAGE' },
  { label: 'Reviewed', value: 'REVIEWED' },
  { label: 'Any status', value: null },
];

const FILTERS_KEY = 'triage.worklistFilters';

function storedFilters(): WorklistFilters {
  try {
    const raw = sessionStorage.getItem(FILTERS_KEY);
    return raw ? { ...defaultFilters, ...(JSON.parse(raw) as Partial<WorklistFilters>) } : defaultFilters;
  } catch {
    return defaultFilters;
  }
}

export function WorklistPage() {
  usePageTitle('Worklist');
  const { session } = useSession();
  const hospitals = useMemo(() => hospitalsWhere(session.user, 'doctor'), [session.user]);
  const [filters, setFilters] = useState<WorklistFilters>(() => {
    const stored = storedFilters();
    // A hospital the doctor no longer belongs to would show an empty list.
    return stored.hospitalId && !hospitals.some((h) => h.id === stored.hospitalId) ? { ...stored, hospitalId: null } : stored;
  });
  useEffect(() => {
    try {
      sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    } catch {
      // Not remembering filters is fine.
    }
  }, [filters]);

  const { feed, loading, error, feedError, page, loadingMore, loadMore } = useWorklist(filters);
  const items = useMemo(() => visibleItems(feed, filters), [feed, filters]);
  const counts = useMemo(() => waitingCounts(feed, filters), [feed, filters]);
  const announcement = useArrivalAnnouncement(feed.fresh, feed.byId, filters);
  const hospitalName = (id: string) => hospitals.find((h) => h.id === id)?.name ?? 'Other hospital';

  return (
    <section className="page worklist" aria-labelledby="worklist-title">
      <div className="page-heading">
        <h1 id="worklist-title">Triage worklist</h1>
        <div className="waiting" aria-label="Studies waiting for review">
          <p className="waiting__total">
            <strong>
              {counts.total}
              {page?.hasNextPage ? '+' : ''}
            </strong>{' '}
            waiting
          </p>
          {hospitals.length > 1 && (
            <ul className="waiting__by-hospital">
              {hospitals.map((hospital) => (
                <li key={hospital.id}>
                  {hospital.name}: <strong>{counts.byHospital.get(hospital.id) ?? 0}</strong>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      <form className="filters" aria-label="Filter the worklist" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-hospital">Hospital</label>
          <select
            id="filter-hospital"
            value={filters.hospitalId ?? ''}
            onChange={(event) => setFilters({ ...filters, hospitalId: event.target.value || null })}
          >
            <option value="">All my hospitals</option>
            {hospitals.map((hospital) => (
              <option key={hospital.id} value={hospital.id}>
                {hospital.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-risk">Minimum risk</label>
          <select
            id="filter-risk"
            value={filters.minRisk ?? ''}
            onChange={(event) => setFilters({ ...filters, minRisk: event.target.value === '' ? null : Number(event.target.value) })}
          >
            {RISK_OPTIONS.map((option) => (
              <option key={option.label} value={option.value ?? ''}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={filters.status ?? ''}
            onChange={(event) => setFilters({ ...filters, status: (event.target.value || null) as TriageStatus | null })}
          >
            {STATUS_OPTIONS.map((option) => (
              <option key={option.label} value={option.value ?? ''}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button" onClick={() => setFilters(defaultFilters)}>
          Reset filters
        </button>
      </form>

      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>

      {feedError && (
        <p className="notice" role="status">
          Live updates are unavailable ({feedError}). The list refreshes every 20 seconds.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          The worklist could not be loaded: {errorMessage(error)}
        </p>
      )}

      {loading && items.length === 0 ? (
        <p role="status">Loading the worklist…</p>
      ) : items.length === 0 ? (
        <p className="empty" role="status">
          No studies match these filters. New studies appear here as soon as the model has scored them.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="worklist-table">
            <caption className="visually-hidden">
              Studies, highest priority first. {items.length} shown.
            </caption>
            <thead>
              <tr>
                <th scope="col">Risk</th>
                <th scope="col">Patient</th>
                <th scope="col">Accession</th>
                <th scope="col">Hospital</th>
                <th scope="col">Status</th>
                <th scope="col">Received</th>
                <th scope="col">Model</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <WorklistRow key={item.id} item={item} fresh={feed.fresh.has(item.id)} hospitalName={item.hospital?.name ?? hospitalName(item.hospitalId)} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {page?.hasNextPage && (
        <p>
          <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more studies'}
          </button>
        </p>
      )}
    </section>
  );
}

function WorklistRow({ item, fresh, hospitalName }: { item: WorklistItem; fresh: boolean; hospitalName: string }) {
  const level = riskLevel(item.risk);
  const patient = item.study.patient;
  const age = ageInYears(patient.birthDate);
  const href = routeHref({ name: 'study', hospitalId: item.hospitalId, studyId: item.study.id });
  return (
    <tr className={fresh ? 'row row--new' : 'row'}>
      <td>
        <span className={`risk-badge risk-badge--${level}`}>
          {formatRisk(item.risk)}
          <span className="visually-hidden"> pneumonia risk</span>
        </span>
        {fresh && <span className="tag tag--new">New</span>}
      </td>
      <td>
        <a href={href} className="row__link">
          {patient.name}
        </a>
        <div className="muted small">
          {age != null ? `${age} y` : '—'}, {sexLabel(patient.sex)} · MRN {patient.mrn}
        </div>
      </td>
      <td>{item.study.accessionNumber}</td>
      <td>{hospitalName}</td>
      <td>{triageStatusLabel(item.status)}</td>
      <td>
        <time dateTime={item.receivedAt}>{formatDateTime(item.receivedAt)}</time>
      </td>
      <td className="muted">{item.modelVersion ?? '—'}</td>
    </tr>
  );
}

/** Text for the polite live region whenever studies arrive live (only those the filters show). */
function useArrivalAnnouncement(
  fresh: ReadonlySet<string>,
  byId: ReadonlyMap<string, WorklistItem>,
  filters: WorklistFilters,
): string {
  const previous = useRef<ReadonlySet<string>>(new Set());
  const [text, setText] = useState('');
  useEffect(() => {
    const arrived = [...fresh]
      .filter((id) => !previous.current.has(id))
      .map((id) => byId.get(id))
      .filter((item): item is WorklistItem => item !== undefined && matchesFilters(item, filters));
    previous.current = fresh;
    const message = announceArrivals(arrived);
    if (message) setText(message);
  }, [fresh, byId, filters]);
  return text;
}
