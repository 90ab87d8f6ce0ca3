import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { connection } from '../../test/data.js';
import { FakeProblem } from '../../test/fake-api.js';
import { renderApp } from '../../test/render.js';

const row = (id: string) => {
  const {
    topicList: _t,
    userAgent: _u,
    info: _i,
    messagesIn: _a,
    messagesOut: _b,
    bytesIn: _c,
    bytesOut: _d,
    ...r
  } = connection(id);
  return r;
};

describe('Connections', () => {
  it('finds connections by user id, client id or topic, on the server', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/connections', {
      handlers: { connections: () => ({ items: [row('c1.a')], nextCursor: null, total: 1 }) },
    });
    expect(await screen.findByRole('link', { name: 'c1.a' })).toHaveAttribute('href', '/connections/c1.a');
    await user.type(screen.getByLabelText('Search by user id'), 'user-42');
    await waitFor(() => expect(calls.at(-1)?.query).toEqual({ user: 'user-42', limit: '50' }));
    await user.selectOptions(screen.getByLabelText('Find by'), 'topic');
    await user.clear(screen.getByLabelText('Search by topic'));
    await user.type(screen.getByLabelText('Search by topic'), 'rooms/eng');
    await waitFor(() => expect(calls.at(-1)?.query).toEqual({ topic: 'rooms/eng', limit: '50' }));
    expect(screen.getByText('1–1 of 1 connections')).toBeInTheDocument();
  });

  it('says when no connection matches', async () => {
    renderApp('/connections?user=nobody', {
      handlers: { connections: () => ({ items: [], nextCursor: null, total: 0 }) },
    });
    expect(await screen.findByText('No connection matches')).toBeInTheDocument();
  });
});

describe('Connection page', () => {
  it('shows who it is, its topics and traffic', async () => {
    renderApp('/connections/c1.a', { role: 'viewer', handlers: { connection: () => connection('c1.a') } });
    expect(await screen.findByText('Mozilla/5.0 Test')).toBeInTheDocument();
    expect(screen.getByText('10.1.2.3:50000')).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Messages out' })).getByText('1.2 MB'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'rooms/eng' })).toHaveAttribute(
      'href',
      '/topics/chat/rooms%2Feng',
    );
    expect(screen.getByText(/"name": "Ada"/)).toBeInTheDocument();
    // a viewer gets no disconnect buttons
    expect(screen.queryByRole('button', { name: /Disconnect/ })).toBeNull();
  });

  it('lets an admin disconnect the client, or every connection of its user', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/connections/c1.a', {
      handlers: {
        connection: () => connection('c1.a'),
        connections: () => ({ items: [], nextCursor: null, total: 0 }),
        disconnectUser: () => ({ disconnected: 3 }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Disconnect user' }));
    const dialog = screen.getByRole('dialog', { name: /Disconnect every connection of user-42/ });
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByText('Disconnected 3 connections (close code 4010)')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'disconnectUser')?.params).toEqual({
      key: 'chat',
      userId: 'user-42',
    });
    expect(screen.getByTestId('location')).toHaveTextContent('/connections');
  });

  it('says the connection has closed when the server no longer knows it', async () => {
    renderApp('/connections/c9.gone', {
      handlers: {
        connection: () => {
          throw new FakeProblem('not_found');
        },
      },
    });
    expect(await screen.findByText('This connection is closed')).toBeInTheDocument();
  });
});
