import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Button } from '../ui/button.js';
import { ErrorState, Loading } from '../ui/states.js';
import { useSession } from './session.js';

/** The signed-in part of the app: no session → the sign-in page (and back here afterwards). */
export function RequireSession({ children }: { children: ReactNode }): ReactNode {
  const { session, error, retry } = useSession();
  const location = useLocation();
  if (session === undefined && error !== null && error !== undefined) {
    return (
      <div className="full-center">
        <div className="card" style={{ width: 440 }}>
          <ErrorState error={error} title="The platform cannot be reached" />
          <div className="form-actions" style={{ padding: '0 16px 16px' }}>
            <Button variant="primary" onClick={retry}>
              Try again
            </Button>
          </div>
        </div>
      </div>
    );
  }
  if (session === undefined) {
    return (
      <div className="full-center">
        <Loading label="Checking your session…" />
      </div>
    );
  }
  if (session === null) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return children;
}
