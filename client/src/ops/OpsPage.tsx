import { useEffect, useState } from 'react';
import { useSession } from '../app/context';
import { usePageTitle } from '../app/usePageTitle';
import { formatTime } from '../common/format';
import {
  fetchOpsStatus,
  formatCount,
  formatRate,
  formatSeconds,
  formatUptime,
  GRAFANA_DASHBOARDS,
  grafanaLink,
  healthOf,
  HEALTH_LABELS,
  OpsStatusError,
  type OpsStatus,
} from './ops-status';

/** How often the page polls the gateway; the gateway shares one poll of the services per second. */
export const OPS_REFRESH_MS = 5_000;

/** Administrators: live service status and the few numbers that matter, linking to Grafana. */
export function OpsPage() {
  usePageTitle('Operations');
  const { session, sessions } = useSession();
  const token = session.token;
  const [status, setStatus] = useState<OpsStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const next = await fetchOpsStatus(token, controller.signal);
        if (stopped) return;
        setStatus(next);
        setError(null);
      } catch (e) {
        if (stopped) return;
        if (e instanceof OpsStatusError && e.status === 401) {
          sessions.clear('unauthenticated');
          return;
        }
        setError(
          e instanceof OpsStatusError && e.status === 403
            ? 'The operations status is for administrators.'
            : (e as Error).message,
        );
      }
      if (!stopped) timer = setTimeout(() => void poll(), OPS_REFRESH_MS);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [token, sessions]);

  const numbers = status?.numbers;
  const measuring = status && status.windowSeconds === 0;
  const tiles: { label: string; value: string; hint?: string; alert?: boolean; text?: boolean }[] = numbers
    ? [
        {
          label: 'Uploads / min',
          value: formatRate(numbers.uploadsPerMinute),
          hint: measuring ? 'measuring…' : `over ${status.windowSeconds} s`,
        },
        {
          label: 'Predictions / min',
          value: formatRate(numbers.predictionsPerMinute),
          hint: measuring ? 'measuring…' : `over ${status.windowSeconds} s`,
        },
        {
          label: 'Worker lag',
          value: formatCount(numbers.workerLag),
          hint: 'studies waiting',
          alert: (numbers.workerLag ?? 0) >= 100,
        },
        {
          label: 'Dead-lettered',
          value: formatCount(numbers.deadLetters),
          hint: 'in the DLQ',
          alert: (numbers.deadLetters ?? 0) > 0,
        },
        {
          label: 'End-to-end p95',
          value: formatSeconds(numbers.endToEndP95Seconds),
          hint: 'stored → on the worklist',
          alert: (numbers.endToEndP95Seconds ?? 0) > 60,
        },
        {
          label: 'Live subscriptions',
          value: formatCount(numbers.activeSubscriptions),
          hint: 'on this gateway',
        },
        {
          label: 'Active model',
          value: numbers.activeModelVersion ?? '—',
          hint: 'scoring new studies',
          text: true,
        },
      ]
    : [];

  return (
    <section className="page ops">
      <div className="page-heading">
        <h1>Operations</h1>
        <p className="ops__updated" role="status">
          {status
            ? `Updated ${formatTime(status.generatedAt)} · refreshes every ${OPS_REFRESH_MS / 1000} s`
            : 'Loading…'}
        </p>
      </div>
      {error && (
        <p className="ops__error" role="alert">
          {error}
        </p>
      )}
      {numbers && (
        <ul className="ops__tiles" aria-label="Key numbers">
          {tiles.map((tile) => (
            <li
              key={tile.label}
              className={`ops__tile${tile.alert ? ' ops__tile--alert' : ''}`}
              data-metric={tile.label}
            >
              <span className="ops__tile-label">{tile.label}</span>
              <strong className={`ops__tile-value${tile.text ? ' ops__tile-value--text' : ''}`}>
                {tile.value}
              </strong>
              {tile.hint && <span className="ops__tile-hint">{tile.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      {status && (
        <>
          <h2>Services</h2>
          <div className="table-wrap">
            <table className="worklist-table ops__services">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Status</th>
                  <th scope="col">Uptime</th>
                  <th scope="col">Runtime</th>
                  <th scope="col">Answered in</th>
                </tr>
              </thead>
              <tbody>
                {status.services.map((service) => {
                  const health = healthOf(service);
                  return (
                    <tr key={service.name} data-service={service.name}>
                      <th scope="row">{service.name}</th>
                      <td>
                        <span className={`ops__health ops__health--${health}`}>{HEALTH_LABELS[health]}</span>
                        {service.failing.length > 0 && (
                          <span className="ops__failing"> ({service.failing.join(', ')})</span>
                        )}
                      </td>
                      <td>{formatUptime(service.uptimeSeconds)}</td>
                      <td>
                        {service.nodeVersion ? `Node ${service.nodeVersion}` : '—'}
                        {service.modelVersion ? ` · model ${service.modelVersion}` : ''}
                      </td>
                      <td>{service.up ? `${service.responseMs} ms` : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <h2>Hospitals</h2>
          <div className="table-wrap">
            <table className="worklist-table ops__hospitals">
              <thead>
                <tr>
                  <th scope="col">Hospital</th>
                  <th scope="col">Uploaded</th>
                  <th scope="col">Predicted</th>
                  <th scope="col">Reviewed</th>
                  <th scope="col">De-identified</th>
                </tr>
              </thead>
              <tbody>
                {status.hospitals.map((h) => (
                  <tr key={h.id} data-hospital={h.slug}>
                    <th scope="row">
                      {h.name}
                      {!h.up && <span className="ops__failing"> (unreachable)</span>}
                    </th>
                    <td>{formatCount(h.uploaded)}</td>
                    <td>{formatCount(h.predicted)}</td>
                    <td>{formatCount(h.reviewed)}</td>
                    <td>{formatCount(h.deidentified)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="ops__note">Counts since each service last started.</p>
          <h2>Dashboards</h2>
          {status.grafanaUrl ? (
            <ul className="ops__links">
              {GRAFANA_DASHBOARDS.map((d) => (
                <li key={d.uid}>
                  <a href={grafanaLink(status.grafanaUrl!, d.uid)} target="_blank" rel="noreferrer">
                    {d.title}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p>Grafana is not configured (set GRAFANA_URL on the gateway).</p>
          )}
        </>
      )}
    </section>
  );
}
