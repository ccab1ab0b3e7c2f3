import { useEffect, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { formatDateTime } from '../common/format';
import type { ModelVersionFieldsFragment } from '../gql/graphql';
import { errorMessage } from '../graphql/errors';
import { percent } from './chart-math';
import { ActivateModelMutation, ClearShadowMutation, RollbackModelMutation, ShadowModelMutation } from './research.graphql';

type Action = { kind: 'activate' | 'shadow'; version: string } | { kind: 'clearShadow'; version: string } | { kind: 'rollback' };

const STATUS_LABELS: Record<string, string> = { ACTIVE: 'Active', SHADOW: 'Shadow', RETIRED: 'Retired', AVAILABLE: 'Available' };

function confirmation(action: Action): { title: string; body: string; confirm: string } {
  switch (action.kind) {
    case 'activate':
      return {
        title: `Make ${action.version} the active model?`,
        body: 'The inference workers switch to it within seconds: every new study is scored by it and doctors see its risk.',
        confirm: `Activate ${action.version}`,
      };
    case 'shadow':
      return {
        title: `Run ${action.version} in shadow?`,
        body: 'The workers also score every new study with it and record the result for comparison; doctors never see it. It replaces any other shadow model.',
        confirm: `Start shadowing ${action.version}`,
      };
    case 'clearShadow':
      return { title: `Stop shadowing ${action.version}?`, body: 'The workers stop scoring studies with it.', confirm: 'Stop shadow' };
    case 'rollback':
      return {
        title: 'Roll back to the previously active model?',
        body: 'The version that was active before the current one becomes active again; the workers switch within seconds.',
        confirm: 'Roll back',
      };
  }
}

function done(action: Action, version: string | null | undefined): string {
  switch (action.kind) {
    case 'activate':
      return `${version} is now the active model.`;
    case 'shadow':
      return `${version} now runs in shadow.`;
    case 'clearShadow':
      return `${action.version} no longer runs in shadow.`;
    case 'rollback':
      return `Rolled back: ${version} is the active model again.`;
  }
}

/** Model versions with their model cards, and the registry actions (each confirmed first). */
export function ModelRegistry({ models, onChanged }: { models: ModelVersionFieldsFragment[]; onChanged: () => void }) {
  const [pending, setPending] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [activate, runActivate] = useMutation(ActivateModelMutation);
  const [shadow, runShadow] = useMutation(ShadowModelMutation);
  const [clear, runClear] = useMutation(ClearShadowMutation);
  const [rollback, runRollback] = useMutation(RollbackModelMutation);
  const busy = activate.fetching || shadow.fetching || clear.fetching || rollback.fetching;
  const confirmButton = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    if (pending) confirmButton.current?.focus();
  }, [pending]);

  const ask = (action: Action) => {
    opener.current = document.activeElement as HTMLElement | null;
    setMessage(null);
    setPending(action);
  };
  const cancel = () => {
    setPending(null);
    opener.current?.focus();
  };

  async function confirm(action: Action) {
    const result =
      action.kind === 'activate'
        ? await runActivate({ version: action.version })
        : action.kind === 'shadow'
          ? await runShadow({ version: action.version })
          : action.kind === 'clearShadow'
            ? await runClear({})
            : await runRollback({});
    setPending(null);
    if (result.error) {
      setMessage({ kind: 'error', text: `Not done: ${errorMessage(result.error)}` });
      return;
    }
    const data = result.data as Record<string, { version: string } | null | undefined> | undefined;
    const changed = data ? Object.values(data)[0] : null;
    setMessage({ kind: 'success', text: done(action, changed?.version) });
    onChanged();
  }

  const dialog = pending ? confirmation(pending) : null;
  return (
    <div className="model-registry">
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => ask({ kind: 'rollback' })}>
          Roll back to the previous model
        </button>
      </div>
      {pending && dialog && (
        <div
          className="confirm panel"
          role="alertdialog"
          aria-labelledby="model-confirm-title"
          aria-describedby="model-confirm-body"
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancel();
          }}
        >
          <h3 id="model-confirm-title">{dialog.title}</h3>
          <p id="model-confirm-body">{dialog.body}</p>
          <div className="button-row">
            <button ref={confirmButton} type="button" className="button button--primary" disabled={busy} onClick={() => void confirm(pending)}>
              {dialog.confirm}
            </button>
            <button type="button" className="button" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <p className={message?.kind === 'error' ? 'error' : 'success'} role={message?.kind === 'error' ? 'alert' : 'status'}>
        {message?.text ?? ''}
      </p>
      {models.length === 0 ? (
        <p className="empty">No model has been published yet. Publish one with <code>npm run model:publish</code> or POST /models.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Model versions with their model card metrics</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">AUC</th>
                <th scope="col">Sensitivity</th>
                <th scope="col">Specificity</th>
                <th scope="col">Accuracy</th>
                <th scope="col">Threshold</th>
                <th scope="col">Published</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.version} data-model-version={model.version}>
                  <th scope="row">
                    <code>{model.version}</code>
                  </th>
                  <td>
                    <span className={`tag tag--${model.status.toLowerCase()}`}>{STATUS_LABELS[model.status] ?? model.status}</span>
                  </td>
                  <td>{model.metrics.auc.toFixed(3)}</td>
                  <td>{percent(model.metrics.sensitivity, 1)}</td>
                  <td>{percent(model.metrics.specificity, 1)}</td>
                  <td>{percent(model.metrics.accuracy, 1)}</td>
                  <td>{model.threshold.toFixed(2)}</td>
                  <td>
                    <time dateTime={model.publishedAt}>{formatDateTime(model.publishedAt)}</time>
                  </td>
                  <td>
                    <div className="button-row button-row--tight">
                      {model.status !== 'ACTIVE' && (
                        <button
                          type="button"
                          className="button"
                          aria-label={`Activate ${model.version}`}
                          disabled={busy}
                          onClick={() => ask({ kind: 'activate', version: model.version })}
                        >
                          Activate
                        </button>
                      )}
                      {model.status !== 'ACTIVE' && model.status !== 'SHADOW' && (
                        <button
                          type="button"
                          className="button"
                          aria-label={`Shadow ${model.version}`}
                          disabled={busy}
                          onClick={() => ask({ kind: 'shadow', version: model.version })}
                        >
                          Shadow
                        </button>
                      )}
                      {model.status === 'SHADOW' && (
                        <button
                          type="button"
                          className="button"
                          aria-label={`Stop shadowing ${model.version}`}
                          disabled={busy}
                          onClick={() => ask({ kind: 'clearShadow', version: model.version })}
                        >
                          Stop shadow
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">Metrics are the model card&apos;s, on its test split; agreement with doctors is shown above.</p>
    </div>
  );
}
