import { useMutation } from '@tanstack/react-query';
import { Activity, LogIn } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useClient } from '../api/api-context.js';
import { errorMessage } from '../api/errors.js';
import { Button } from '../ui/button.js';
import { Field, Input } from '../ui/field.js';
import { Alert } from '../ui/states.js';
import { useSession } from './session.js';

/** Where the guard sent the operator from, to return there after signing in. */
export interface FromState {
  from?: string;
}

export function SignInPage(): ReactNode {
  const client = useClient();
  const { session, reason, signIn } = useSession();
  const location = useLocation();
  const from = (location.state as FromState | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const mutation = useMutation({
    mutationFn: () => client.call('signIn', { body: { email: email.trim(), password } }),
    onSuccess: (s) => signIn(s),
  });

  if (session !== null && session !== undefined) return <Navigate to={from} replace />;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (email.trim() === '' || password === '') return;
    mutation.mutate();
  };

  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            <Activity size={17} />
          </span>
          <span>
            Beacon
            <small>Operator console</small>
          </span>
        </div>
        <h1>Sign in</h1>
        <p className="muted" style={{ margin: 0 }}>
          Use your operator account on <strong>{window.location.host}</strong>.
        </p>
        <form onSubmit={submit}>
          {reason === 'expired' && !mutation.isError && (
            <Alert tone="warn">Your session has expired. Sign in again to continue.</Alert>
          )}
          {reason === 'signed-out' && !mutation.isError && <Alert tone="info">You have signed out.</Alert>}
          {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
          <Field label="Email">
            <Input
              type="email"
              name="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              autoFocus
            />
          </Field>
          <Field label="Password">
            <Input
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </Field>
          <Button
            type="submit"
            variant="primary"
            icon={<LogIn size={16} />}
            busy={mutation.isPending}
            disabled={email.trim() === '' || password === ''}
          >
            Sign in
          </Button>
        </form>
        <div className="auth-foot">
          Operators are created by an admin, or with <code className="nowrap">beacon operators create</code>.
        </div>
      </div>
    </div>
  );
}
