import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeProblem } from '../test/fake-api.js';
import { renderApp, sessionFor } from '../test/render.js';

describe('sign-in and session', () => {
  it('sends an unauthenticated visitor to the sign-in page, and back after signing in', async () => {
    let signedIn = false;
    const user = userEvent.setup();
    const { calls } = renderApp('/apps', {
      role: null,
      handlers: {
        session: () => {
          if (!signedIn) throw new FakeProblem('unauthenticated');
          return sessionFor('admin');
        },
        signIn: (c) => {
          const b = c.body as { email: string; password: string };
          if (b.password !== 'right')
            throw new FakeProblem('invalid_credentials', 'Wrong email or password.');
          signedIn = true;
          return sessionFor('admin', b.email);
        },
      },
    });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'right');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Apps & keys' })).toBeInTheDocument();
    expect(screen.getByTestId('operator-email')).toHaveTextContent('ada@example.com');
    expect(screen.getByTestId('location')).toHaveTextContent('/apps');
    expect(calls.filter((c) => c.name === 'signIn').map((c) => c.body)).toEqual([
      { email: 'ada@example.com', password: 'wrong' },
      { email: 'ada@example.com', password: 'right' },
    ]);
  });

  it('returns to the sign-in page with a message when any call answers 401 (session expired)', async () => {
    renderApp('/apps', {
      handlers: {
        apps: () => ({ items: [] }),
        audit: () => {
          throw new FakeProblem('unauthenticated');
        },
      },
    });
    expect(await screen.findByText('No apps yet')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('link', { name: 'Audit log' }));
    expect(await screen.findByText(/Your session has expired/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('signs out on the server and says so', async () => {
    const { calls } = renderApp('/', { handlers: {} });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('You have signed out.')).toBeInTheDocument();
    expect(calls.some((c) => c.name === 'signOut')).toBe(true);
  });

  it('shows that the platform cannot be reached, with a retry', async () => {
    renderApp('/', {
      handlers: {
        session: () => {
          throw new FakeProblem('unavailable', 'Upstream down');
        },
      },
    });
    expect(await screen.findByText('The platform cannot be reached')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled());
  });
});
