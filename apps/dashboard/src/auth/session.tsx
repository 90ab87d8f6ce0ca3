import type { Operator, Session } from '@beacon/admin-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useClient } from '../api/api-context.js';
import { isSessionLost } from '../api/errors.js';
import { SESSION_KEY } from '../api/query-keys.js';

/** Why the operator is on the sign-in page, shown there. */
export type SignedOutReason = 'expired' | 'signed-out' | null;

export interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  session: Session | null | undefined;
  /** The first check failed for another reason than "no session" (platform unreachable). */
  error: unknown;
  reason: SignedOutReason;
  retry: () => void;
  signIn: (s: Session) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/**
 * Owns the operator's session: asks the server once (`GET /admin/v1/session`), and watches every query and
 * mutation: the first `401 unauthenticated` anywhere means the session is gone (expired, revoked), so the
 * cached data is dropped and the app returns to the sign-in page with a message.
 */
export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState<SignedOutReason>(null);

  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await client.call('session');
      } catch (err) {
        if (isSessionLost(err)) return null;
        throw err;
      }
    },
    staleTime: Infinity,
    retry: false,
  });

  const lose = useCallback(() => {
    const had = queryClient.getQueryData<Session | null>(SESSION_KEY);
    if (had === null) return;
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    queryClient.setQueryData(SESSION_KEY, null);
    if (had !== undefined) setReason('expired');
  }, [queryClient]);

  useEffect(() => {
    const onError = (error: unknown): void => {
      if (isSessionLost(error)) lose();
    };
    const unQ = queryClient.getQueryCache().subscribe((e) => {
      if (e.type === 'updated' && e.action.type === 'error') onError(e.action.error);
      // the session query itself answering null after a session existed (a stream found it gone)
      if (e.type === 'updated' && e.action.type === 'success' && e.query.queryKey[0] === SESSION_KEY[0]) {
        if (e.action.data === null && e.query.state.dataUpdateCount > 1) setReason((r) => r ?? 'expired');
      }
    });
    const unM = queryClient.getMutationCache().subscribe((e) => {
      if (e.type === 'updated' && e.action.type === 'error') onError(e.action.error);
    });
    return () => {
      unQ();
      unM();
    };
  }, [queryClient, lose]);

  const signOutMutation = useMutation({ mutationFn: () => client.call('signOut') });
  const { mutateAsync: signOutCall } = signOutMutation;

  const value = useMemo<SessionState>(
    () => ({
      session: query.data,
      error: query.error,
      reason,
      retry: () => void query.refetch(),
      signIn: (s) => {
        setReason(null);
        queryClient.setQueryData(SESSION_KEY, s);
      },
      signOut: async () => {
        try {
          await signOutCall();
        } catch {
          // signed out locally whatever the server answered (it may have expired the session already)
        }
        queryClient.clear();
        queryClient.setQueryData(SESSION_KEY, null);
        setReason('signed-out');
      },
    }),
    [query, reason, queryClient, signOutCall],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in operator (only inside the signed-in part of the app). */
export function useOperator(): Operator {
  const s = useSession().session;
  if (s === null || s === undefined) throw new Error('useOperator without a session');
  return s.operator;
}

/** Admins see mutating controls; viewers do not (and the server answers them 403 anyway). */
export function useIsAdmin(): boolean {
  return useSession().session?.operator.role === 'admin';
}

export function AdminOnly({ children }: { children: ReactNode }): ReactNode {
  return useIsAdmin() ? children : null;
}
