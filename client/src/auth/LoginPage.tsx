import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { usePageTitle } from '../app/usePageTitle';
import { errorMessage } from '../graphql/errors';
import { LoginMutation } from './auth.graphql';
import type { LogoutReason, SessionStore } from './session';

const REASONS: Record<LogoutReason, string | null> = {
  'signed-out': null,
  expired: 'Your session has expired. Please sign in again.',
  unauthenticated: 'Your sign-in is no longer accepted. Please sign in again.',
};

export function LoginPage({ sessions }: { sessions: SessionStore }) {
  usePageTitle('Sign in');
  const [, login] = useMutation(LoginMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const reason = sessions.lastLogoutReason();
  const notice = reason ? REASONS[reason] : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await login({ email: email.trim(), password });
    setBusy(false);
    const payload = result.data?.login;
    if (result.error || !payload) {
      setError(
        result.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
          ? 'The email or password is not correct.'
          : errorMessage(result.error, 'Sign-in failed.'),
      );
      return;
    }
    if (!payload.user) {
      setError('This is a service credential. Sign in with a personal account.');
      return;
    }
    sessions.set({ token: payload.token, expiresAt: payload.expiresAt, user: payload.user });
  }

  return (
    <main id="main" className="login">
      <form className="login__card" onSubmit={submit} aria-describedby={error ? errorId : undefined} noValidate={false}>
        <h1>Pneumonia triage</h1>
        <p className="muted">Sign in with your hospital account.</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error && (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          Demo accounts are printed by <code>npm start</code> and saved in <code>.data/demo-credentials.json</code>.
        </p>
      </form>
    </main>
  );
}
