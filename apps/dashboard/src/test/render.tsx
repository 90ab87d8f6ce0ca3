import type { OperatorRole, Session } from '@beacon/admin-api';
import { render, type RenderResult } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { AppProviders, AppRoutes, createQueryClient } from '../app.js';
import { fakeApi, FakeProblem, type Handlers } from './fake-api.js';

export function sessionFor(role: OperatorRole, email = `${role}@example.com`): Session {
  return {
    operator: {
      id: `op_${role}`,
      email,
      role,
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSignInAt: '2026-12-01T10:00:00.000Z',
    },
    expiresAt: '2099-01-01T00:00:00.000Z',
    idleExpiresAt: '2099-01-01T00:00:00.000Z',
  };
}

function LocationProbe() {
  const l = useLocation();
  return (
    <div data-testid="location" hidden>
      {l.pathname + l.search}
    </div>
  );
}

/**
 * The whole dashboard at `path` against fake handlers; `role` signs in an operator (null: nobody is signed
 * in). Returns the render result, the recorded calls and streams.
 */
export function renderApp(
  path: string,
  { role = 'admin', handlers = {} }: { role?: OperatorRole | null; handlers?: Handlers } = {},
): RenderResult & ReturnType<typeof fakeApi> {
  const fake = fakeApi({
    session: () => {
      if (role === null) throw new FakeProblem('unauthenticated');
      return sessionFor(role);
    },
    apps: () => ({ items: [] }),
    ...handlers,
  });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false, refetchInterval: false },
  });
  const result = render(
    <MemoryRouter initialEntries={[path]}>
      <AppProviders queryClient={queryClient} api={fake.api}>
        <AppRoutes />
        <LocationProbe />
      </AppProviders>
    </MemoryRouter>,
  );
  return { ...result, ...fake };
}
