import { useId } from 'react';
import { linearScale, linePath, timeDomain, timeTicks, type Series } from './chart-math';

const WIDTH = 560;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 44 };
/** Distinguishable without colour too: each series also has its own dash pattern and marker. */
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2'];
const SERIES_CLASSES = ['chart__series--1', 'chart__series--2', 'chart__series--3', 'chart__series--4', 'chart__series--5'];

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
export const formatDay = (iso: string) => dayFormat.format(new Date(iso));

export interface LineChartProps {
  title: string;
  /** One sentence for screen readers and as the visible caption. */
  description: string;
  series: Series[];
  yDomain: [number, number];
  yTicks: number[];
  yFormat: (value: number) => string;
  /** Column heading of the values in the data table. */
  valueLabel: string;
  height?: number;
}

/** A time series chart in plain SVG, with the same data as a table for screen readers. */
export function LineChart({ title, description, series, yDomain, yTicks, yFormat, valueLabel, height = 220 }: LineChartProps) {
  const id = useId();
  const domain = timeDomain(series);
  const x = domain ? linearScale(domain, [MARGIN.left, WIDTH - MARGIN.right]) : null;
  const y = linearScale(yDomain, [height - MARGIN.bottom, MARGIN.top]);
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`}>{title}</h3>
        <p className="muted small" id={`${id}-desc`}>
          {description}
        </p>
      </figcaption>
      {!x || !domain ? (
        <p className="empty">No data yet.</p>
      ) : (
        <>
          <svg
            className="chart__svg"
            viewBox={`0 0 ${WIDTH} ${height}`}
            role="img"
            aria-labelledby={`${id}-title`}
            aria-describedby={`${id}-desc`}
            preserveAspectRatio="xMidYMid meet"
          >
            {yTicks.map((tick) => (
              <g key={tick} className="chart__grid">
                <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
                <text x={MARGIN.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                  {yFormat(tick)}
                </text>
              </g>
            ))}
            {timeTicks(domain, 5).map((tick) => (
              <text key={tick.at} className="chart__axis-label" x={x(tick.at)} y={height - 8} textAnchor="middle">
                {tick.label}
              </text>
            ))}
            {series.map((s, i) => {
              const points = s.points.map((p) => ({ x: x(Date.parse(p.at)), y: p.value === null ? null : y(p.value) }));
              return (
                <g key={s.name} className={`chart__series ${SERIES_CLASSES[i % SERIES_CLASSES.length]}`}>
                  <path d={linePath(points)} fill="none" strokeWidth={2} strokeDasharray={DASHES[i % DASHES.length] || undefined} />
                  {points.map((p, j) =>
                    p.y === null ? null : i % 2 === 0 ? (
                      <circle key={j} cx={p.x} cy={p.y} r={3.5} />
                    ) : (
                      <rect key={j} x={p.x - 3.5} y={p.y - 3.5} width={7} height={7} />
                    ),
                  )}
                </g>
              );
            })}
          </svg>
          {series.length > 1 && (
            <ul className="chart__legend" aria-label={`${title}: series`}>
              {series.map((s, i) => (
                <li key={s.name} className={SERIES_CLASSES[i % SERIES_CLASSES.length]}>
                  <svg width="28" height="10" aria-hidden="true" className="chart__series">
                    <line x1="0" x2="28" y1="5" y2="5" strokeWidth={2} strokeDasharray={DASHES[i % DASHES.length] || undefined} />
                  </svg>
                  {s.name}
                </li>
              ))}
            </ul>
          )}
          <table className="visually-hidden">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">Series</th>
                <th scope="col">Day</th>
                <th scope="col">{valueLabel}</th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.map((p) => (
                  <tr key={`${s.name}-${p.at}`}>
                    <td>{s.name}</td>
                    <td>{formatDay(p.at)}</td>
                    <td>{p.value === null ? 'not measurable' : yFormat(p.value)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

export interface BarSegment {
  key: 'pneumonia' | 'normal' | 'uncertain';
  label: string;
  value: number;
}

export interface StackedBarsProps {
  title: string;
  description: string;
  rows: { label: string; segments: BarSegment[] }[];
}

/** Horizontal stacked bars (one per row, as shares of the row's total), with the counts in text. */
export function StackedBars({ title, description, rows }: StackedBarsProps) {
  const id = useId();
  const rowHeight = 30;
  const labelWidth = 150;
  const height = rows.length * rowHeight + 8;
  const x = linearScale([0, 1], [labelWidth, WIDTH - MARGIN.right]);
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`}>{title}</h3>
        <p className="muted small" id={`${id}-desc`}>
          {description}
        </p>
      </figcaption>
      {rows.length === 0 ? (
        <p className="empty">No data yet.</p>
      ) : (
        <>
          <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
            {rows.map((row, i) => {
              const total = row.segments.reduce((sum, s) => sum + s.value, 0);
              let offset = 0;
              const top = 4 + i * rowHeight;
              return (
                <g key={row.label}>
                  <text className="chart__axis-label" x={labelWidth - 8} y={top + rowHeight / 2 - 2} dy="0.32em" textAnchor="end">
                    {row.label.length > 20 ? `${row.label.slice(0, 19)}…` : row.label}
                  </text>
                  {row.segments.map((segment) => {
                    const share = total ? segment.value / total : 0;
                    const start = x(offset);
                    offset += share;
                    return share > 0 ? (
                      <rect
                        key={segment.key}
                        className={`chart__bar chart__bar--${segment.key}`}
                        x={start}
                        y={top}
                        width={Math.max(0, x(offset) - start)}
                        height={rowHeight - 10}
                      >
                        <title>{`${row.label}: ${segment.label} ${segment.value}`}</title>
                      </rect>
                    ) : null;
                  })}
                </g>
              );
            })}
          </svg>
          <ul className="chart__legend" aria-label={`${title}: labels`}>
            {rows[0]!.segments.map((segment) => (
              <li key={segment.key}>
                <span className={`chart__swatch chart__bar--${segment.key}`} aria-hidden="true" />
                {segment.label}
              </li>
            ))}
          </ul>
          <table className="data-table data-table--compact">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                {rows[0]!.segments.map((segment) => (
                  <th scope="col" key={segment.key}>
                    {segment.label}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.label}>
                  <th scope="row">{row.label}</th>
                  {row.segments.map((segment) => (
                    <td key={segment.key}>{segment.value}</td>
                  ))}
                  <td>{row.segments.reduce((sum, s) => sum + s.value, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
