import { useState, type FormEvent } from 'react';
import { LIMITS } from '@spherecast/shared';
import { errorMessage } from '../api/client.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from './session.tsx';

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage({ next }: { next: string | null }) {
  const { signIn } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    signIn({ login, password })
      .then(
        () => navigate(safeNext(next), { replace: true }),
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form className="auth-form" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <label>
        <span>Username or email</span>
        <input name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
      </label>
      <label>
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-wide" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="muted">
        New here? <Link to={`/register${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </form>
  );
}

export function RegisterPage({ next }: { next: string | null }) {
  const { register } = useSession();
  const [form, setForm] = useState({ username: '', email: '', password: '', displayName: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    register({
      username: form.username,
      email: form.email,
      password: form.password,
      ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
    })
      .then(
        () => navigate(safeNext(next), { replace: true }),
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form className="auth-form" onSubmit={submit} aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <label>
        <span>Username</span>
        <input
          name="username"
          autoComplete="username"
          required
          minLength={LIMITS.usernameMin}
          maxLength={LIMITS.usernameMax}
          pattern="[A-Za-z0-9_]+"
          title="Letters, digits and underscores"
          value={form.username}
          onChange={set('username')}
        />
      </label>
      <label>
        <span>Display name (optional)</span>
        <input name="displayName" autoComplete="name" maxLength={LIMITS.displayNameMax} value={form.displayName} onChange={set('displayName')} />
      </label>
      <label>
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required maxLength={LIMITS.emailMax} value={form.email} onChange={set('email')} />
      </label>
      <label>
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={LIMITS.passwordMin}
          maxLength={LIMITS.passwordMax}
          value={form.password}
          onChange={set('password')}
        />
        <small className="muted">At least {LIMITS.passwordMin} characters.</small>
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-wide" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
      <p className="muted">
        Already registered? <Link to={`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</Link>
      </p>
    </form>
  );
}
