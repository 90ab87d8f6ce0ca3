import type { Operator } from '@beacon/admin-api';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeProblem } from '../../test/fake-api.js';
import { renderApp, sessionFor } from '../../test/render.js';

const me = sessionFor('admin').operator;
const other: Operator = { ...me, id: 'op_2', email: 'bob@example.com', role: 'viewer', lastSignInAt: null };

describe('Operators', () => {
  it('is for admins only: a viewer has no nav entry and sees why', async () => {
    const { calls } = renderApp('/operators', { role: 'viewer' });
    expect(await screen.findByText('Admins only')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Operators' })).toBeNull();
    expect(calls.some((c) => c.name === 'operators')).toBe(false);
  });

  it('shows the last_admin refusal plainly', async () => {
    const user = userEvent.setup();
    renderApp('/operators', {
      handlers: {
        operators: () => ({ items: [me, other] }),
        updateOperator: () => {
          throw new FakeProblem('last_admin', 'admin@example.com is the last enabled admin.');
        },
      },
    });
    const table = await screen.findByRole('table', { name: 'Operators' });
    const mine = (await within(table).findByText('you')).closest('tr') as HTMLElement;
    await user.click(within(mine).getByRole('button', { name: 'Make viewer' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Change role' }));
    expect(await screen.findByText('Refused: this is the last enabled admin.')).toBeInTheDocument();
  });

  it('creates an operator and shows a generated password once', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/operators', {
      handlers: {
        operators: () => ({ items: [me] }),
        createOperator: () => ({ operator: other, password: 'generated-pass-123' }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Create operator' }));
    const dialog = screen.getByRole('dialog', { name: 'Create an operator' });
    await user.type(within(dialog).getByLabelText('Email'), 'bob@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Create operator' }));
    expect(await screen.findByText('generated-pass-123')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'createOperator')?.body).toEqual({
      email: 'bob@example.com',
      role: 'viewer',
    });
  });
});
