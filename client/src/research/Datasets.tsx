import { useState } from 'react';
import { formatBytes, formatDateTime } from '../common/format';
import type { ResearchPageQuery } from '../gql/graphql';

type Dataset = ResearchPageQuery['datasets'][number];
type DatasetExport = Dataset['exports'][number];

const FORMAT_LABELS: Record<string, string> = { NPZ: 'PneumoniaMNIST .npz', ZIP: 'PNG + CSV (.zip)' };

function fileNameFrom(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? fallback;
}

/**
 * Downloads need the bearer token, which a plain link cannot send: fetch the file (through the
 * gateway's /datasets route) and hand it to the browser as an object URL.
 */
async function download(path: string, token: string, fallbackName: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `the server answered ${response.status}`);
  }
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileNameFrom(response.headers.get('content-disposition'), fallbackName);
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** Frozen dataset versions with their label and split counts and their exports. */
export function Datasets({ datasets, token }: { datasets: Dataset[]; token: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function start(dataset: Dataset, file: DatasetExport) {
    const key = `${dataset.id}/${file.format}`;
    setBusy(key);
    setError(null);
    try {
      await download(file.downloadPath, token, `dataset-v${dataset.version}.${file.format.toLowerCase()}`);
    } catch (e) {
      setError(`Download of dataset v${dataset.version} failed: ${(e as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  if (datasets.length === 0) {
    return <p className="empty">No dataset has been frozen yet (mutation <code>freezeDataset</code>).</p>;
  }
  return (
    <>
      <p className="error" role="alert">
        {error ?? ''}
      </p>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">Frozen datasets, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Examples</th>
              <th scope="col">Pneumonia / normal</th>
              <th scope="col">Train / val / test</th>
              <th scope="col">Content hash</th>
              <th scope="col">Frozen</th>
              <th scope="col">Downloads</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((dataset) => (
              <tr key={dataset.id}>
                <th scope="row">
                  v{dataset.version}
                  {dataset.name ? <span className="muted"> · {dataset.name}</span> : null}
                </th>
                <td>
                  {dataset.exampleCount}
                  {dataset.skippedCount > 0 ? <span className="muted small"> ({dataset.skippedCount} skipped)</span> : null}
                </td>
                <td>
                  {dataset.labelCounts.pneumonia} / {dataset.labelCounts.normal}
                </td>
                <td>
                  {dataset.splitCounts.train} / {dataset.splitCounts.val} / {dataset.splitCounts.test}
                </td>
                <td>
                  <code title={dataset.contentHash}>{dataset.contentHash.slice(0, 12)}</code>
                </td>
                <td>
                  <time dateTime={dataset.createdAt}>{formatDateTime(dataset.createdAt)}</time>
                </td>
                <td>
                  <div className="button-row button-row--tight">
                    {dataset.exports.map((file) => (
                      <button
                        key={file.format}
                        type="button"
                        className="button button--quiet"
                        aria-label={`Download dataset v${dataset.version} as ${FORMAT_LABELS[file.format] ?? file.format}`}
                        disabled={busy !== null}
                        onClick={() => void start(dataset, file)}
                      >
                        {busy === `${dataset.id}/${file.format}` ? 'Downloading…' : `${FORMAT_LABELS[file.format] ?? file.format}`}{' '}
                        <span className="muted small">{formatBytes(file.bytes)}</span>
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
