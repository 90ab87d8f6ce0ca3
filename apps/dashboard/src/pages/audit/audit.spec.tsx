import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { app, auditRecord } from '../../test/data.js';
import { renderApp } from '../../test/render.js';

describe('Audit log', () => {
  it('lists records newest first with app keys, and shows one in detail', async () => {
    const user = userEvent.setup();
    renderApp('/audit', {
      handlers: {
        apps: () => ({ items: [app('chat')] }),
        audit: () => ({
          items: [
            auditRecord('a2', { action: 'app.disable', result: '403 forbidden' }),
            auditRecord('a1', { count: 40 }),
          ],
          nextCursor: null,
        }),
      },
    });
    const table = await screen.findByRole('table', { name: 'Audit records' });
    await within(table).findByText('app.disable');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('app.disable');
    expect(rows[1]).toHaveTextContent('403 forbidden');
    expect(rows[2]).toHaveTextContent('×40');
    await waitFor(() => expect(within(table).getAllByText('app chat').length).toBeGreaterThan(0));
    await user.click(within(table).getByText('app.disable'));
    expect(screen.getByRole('dialog')).toHaveTextContent('10.0.0.5');
  });

  it('filters on the server, and the live stream gets the same filters', async () => {
    const user = userEvent.setup();
    const { calls, stream } = renderApp('/audit', {
      handlers: { audit: () => ({ items: [], nextCursor: null }) },
    });
    expect(await screen.findByText('No audit records yet')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Action'), 'app.rotate');
    await user.selectOptions(screen.getByLabelText('Result'), 'refused');
    await user.type(screen.getByLabelText('Actor'), 'operator:ops@example.com');
    await waitFor(() =>
      expect(calls.filter((c) => c.name === 'audit').at(-1)?.query).toEqual({
        actor: 'operator:ops@example.com',
        action: 'app.rotate',
        result: 'refused',
        limit: '50',
      }),
    );
    expect(screen.getByText('No record matches')).toBeInTheDocument();
    await waitFor(() =>
      expect(stream('auditStream')?.url).toBe(
        '/admin/v1/audit/stream?actor=operator%3Aops%40example.com&action=app.rotate&result=refused',
      ),
    );
    await user.selectOptions(screen.getByLabelText('Time range'), '1h');
    await waitFor(() =>
      expect(calls.filter((c) => c.name === 'audit').at(-1)?.query['from']).toMatch(/^\d{4}-/),
    );
  });

  it('puts records written now on top, as they arrive', async () => {
    const { stream } = renderApp('/audit', {
      handlers: {
        audit: () => ({ items: [auditRecord('old', { action: 'app.update' })], nextCursor: null }),
      },
    });
    const table = await screen.findByRole('table', { name: 'Audit records' });
    await within(table).findByText('app.update');
    const s = stream('auditStream');
    act(() => {
      s?.open();
      s?.emit('record', auditRecord('new', { action: 'operator.create' }));
    });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('operator.create');
    expect(rows[2]).toHaveTextContent('app.update');
    expect(screen.getByText('Live')).toBeInTheDocument();
  });
});
