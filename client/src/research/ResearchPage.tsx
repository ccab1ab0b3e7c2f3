import { useCallback, useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { useSession } from '../app/context';
import { usePageTitle } from '../app/usePageTitle';
import { findingLabel } from '../common/format';
import { errorMessage } from '../graphql/errors';
import { niceMax, niceTicks, percent, seriesByVersion } from './chart-math';
import { LineChart, StackedBars } from './Charts';
import { Datasets } from './Datasets';
import { ModelRegistry } from './ModelRegistry';
import { HospitalNamesQuery, ResearchPageQuery } from './research.graphql';

/** How often the page refreshes on its own (new examples arrive as doctors review). */
const REFRESH_MS = 15_000;
const SHARE_TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The research center's page: how the de-identified, doctor-labelled data grows and is balanced,
 * how each model version agrees with the doctors, the model registry and the frozen datasets.
 * Researchers and admins only (the research service refuses everyone else).
 */
export function ResearchPage() {
  usePageTitle('Research');
  const { session } = useSession();
  const [result, reexecute] = useQuery({ query: ResearchPageQuery, requestPolicy: 'cache-and-network' });
  const [hospitals] = useQuery({ query: HospitalNamesQuery });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useEffect(() => {
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const data = result.data;
  const hospitalName = useMemo(() => {
    const names = new Map((hospitals.data?.hospitals ?? []).map((h) => [h.id, h.name]));
    return (id: string) => names.get(id) ?? `Hospital ${id.slice(0, 8)}`;
  }, [hospitals.data]);

  const charts = useMemo(() => {
    if (!data) return null;
    const growth = data.labeledExampleGrowth;
    const maxTotal = niceMax(growth.at(-1)?.total ?? 0);
    const finding = (f: string) => data.researchSummary.byFinding.find((x) => x.finding === f)?.count ?? 0;
    const segments = (p: number, n: number, u: number) => [
      { key: 'pneumonia' as const, label: findingLabel('PNEUMONIA'), value: p },
      { key: 'normal' as const, label: findingLabel('NORMAL'), value: n },
      { key: 'uncertain' as const, label: findingLabel('UNCERTAIN'), value: u },
    ];
    return {
      growth: { series: [{ name: 'Examples', points: growth.map((g) => ({ at: g.bucketStart, value: g.total })) }], yDomain: [0, maxTotal] as [number, number], yTicks: niceTicks(0, maxTotal, 4) },
      balance: [
        { label: 'All hospitals', segments: segments(finding('PNEUMONIA'), finding('NORMAL'), finding('UNCERTAIN')) },
        ...data.researchSummary.byHospital.map((h) => ({ label: hospitalName(h.hospitalId), segments: segments(h.pneumonia, h.normal, h.uncertain) })),
      ],
      auc: seriesByVersion(data.modelAgreement, (p) => p.auc),
      sensitivity: seriesByVersion(data.modelAgreement, (p) => p.sensitivity),
      specificity: seriesByVersion(data.modelAgreement, (p) => p.specificity),
    };
  }, [data, hospitalName]);

  const active = data?.models.find((m) => m.status === 'ACTIVE');
  const shadow = data?.models.find((m) => m.status === 'SHADOW');

  return (
    <section className="page research" aria-labelledby="research-title">
      <div className="page-heading">
        <h1 id="research-title">Research</h1>
        <button type="button" className="button" onClick={refresh} disabled={result.fetching}>
          {result.fetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {result.error && (
        <p className="error" role="alert">
          The research data could not be loaded: {errorMessage(result.error)}
        </p>
      )}
      {!data ? (
        result.fetching ? (
          <p role="status">Loading research data…</p>
        ) : null
      ) : (
        <>
          <dl className="stat-tiles" aria-label="Labelled data at a glance">
            <div className="stat-tile">
              <dt>Labelled examples</dt>
              <dd data-testid="examples-total">{data.researchSummary.total}</dd>
            </div>
            {data.researchSummary.byFinding.map((f) => (
              <div className="stat-tile" key={f.finding}>
                <dt>{findingLabel(f.finding)}</dt>
                <dd>{f.count}</dd>
              </div>
            ))}
            <div className="stat-tile">
              <dt>Hospitals</dt>
              <dd>{data.researchSummary.byHospital.length}</dd>
            </div>
            <div className="stat-tile">
              <dt>Active model</dt>
              <dd>
                <code>{active?.version ?? 'none'}</code>
              </dd>
            </div>
            <div className="stat-tile">
              <dt>Shadow model</dt>
              <dd>
                <code>{shadow?.version ?? 'none'}</code>
              </dd>
            </div>
          </dl>

          <section className="panel" aria-labelledby="research-data-title">
            <h2 id="research-data-title">Labelled data</h2>
            <div className="chart-grid">
              <LineChart
                title="Dataset growth"
                description="De-identified examples indexed so far, by the day the doctor recorded the finding (UTC)."
                series={charts!.growth.series}
                yDomain={charts!.growth.yDomain}
                yTicks={charts!.growth.yTicks}
                yFormat={(v) => String(Math.round(v))}
                valueLabel="Examples (running total)"
              />
              <StackedBars
                title="Label balance"
                description="Doctors' findings, in all and per hospital (bar lengths are shares of each row)."
                rows={charts!.balance}
              />
            </div>
          </section>

          <section className="panel" aria-labelledby="research-agreement-title">
            <h2 id="research-agreement-title">Agreement with doctors</h2>
            <p className="muted small">
              Each model version&apos;s prediction against the doctors&apos; findings (pneumonia = positive, normal = negative,
              uncertain left out), per day.
            </p>
            {data.overallAgreement.length === 0 ? (
              <p className="empty">No reviewed example carries a model prediction yet.</p>
            ) : (
              <>
                <div className="table-wrap">
                  <table className="data-table">
                    <caption className="visually-hidden">Agreement of each model version with doctors, over all time</caption>
                    <thead>
                      <tr>
                        <th scope="col">Model version</th>
                        <th scope="col">Examples</th>
                        <th scope="col">Pneumonia / normal</th>
                        <th scope="col">AUC</th>
                        <th scope="col">Sensitivity</th>
                        <th scope="col">Specificity</th>
                        <th scope="col">Accuracy</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.overallAgreement.map((a) => (
                        <tr key={a.modelVersion} data-agreement-version={a.modelVersion}>
                          <th scope="row">
                            <code>{a.modelVersion}</code>
                          </th>
                          <td>{a.n}</td>
                          <td>
                            {a.positives} / {a.negatives}
                          </td>
                          <td>{a.auc === null || a.auc === undefined ? '–' : a.auc.toFixed(3)}</td>
                          <td>{percent(a.sensitivity, 1)}</td>
                          <td>{percent(a.specificity, 1)}</td>
                          <td>{percent(a.accuracy, 1)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div className="chart-grid chart-grid--three">
                  <LineChart title="AUC over time" description="ROC AUC of the model's risk against the findings, per day." series={charts!.auc} yDomain={[0, 1]} yTicks={SHARE_TICKS} yFormat={(v) => v.toFixed(2)} valueLabel="AUC" height={200} />
                  <LineChart title="Sensitivity over time" description="Share of pneumonia findings the model also called pneumonia, per day." series={charts!.sensitivity} yDomain={[0, 1]} yTicks={SHARE_TICKS} yFormat={(v) => percent(v)} valueLabel="Sensitivity" height={200} />
                  <LineChart title="Specificity over time" description="Share of normal findings the model also called normal, per day." series={charts!.specificity} yDomain={[0, 1]} yTicks={SHARE_TICKS} yFormat={(v) => percent(v)} valueLabel="Specificity" height={200} />
                </div>
              </>
            )}
          </section>

          <section className="panel" aria-labelledby="research-models-title">
            <h2 id="research-models-title">Model versions</h2>
            <ModelRegistry models={data.models} onChanged={refresh} />
          </section>

          <section className="panel" aria-labelledby="research-datasets-title">
            <h2 id="research-datasets-title">Frozen datasets</h2>
            <Datasets datasets={data.datasets} token={session.token} />
          </section>
        </>
      )}
    </section>
  );
}
