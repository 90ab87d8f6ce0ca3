import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { app } from '../../test/data.js';
import { FakeProblem } from '../../test/fake-api.js';
import { renderApp } from '../../test/render.js';

const keys = {
  items: [
    {
      kid: 'ps_1',
      kind: 'push_secret' as const,
      alg: null,
      createdAt: '2026-10-01T08:00:00.000Z',
      revokedAt: null,
    },
    {
      kid: 'tk_1',
      kind: 'token_hmac' as const,
      alg: 'HS256',
      createdAt: '2026-10-01T08:00:00.000Z',
      revokedAt: null,
    },
  ],
};

describe('Apps list', () => {
  it('shows skeleton, then apps; the empty state invites an admin to create one', async () => {
    const { unmount } = renderApp('/apps', {
      handlers: { apps: () => ({ items: [app('chat'), app('old', { enabled: false })] }) },
    });
    expect(await screen.findByRole('link', { name: 'CHAT' })).toBeInTheDocument();
    expect(screen.getByText('disabled')).toBeInTheDocument();
    unmount();
    renderApp('/apps', { handlers: { apps: () => ({ items: [] }) } });
    expect(await screen.findByText('No apps yet')).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Create app' }).length).toBeGreaterThan(0);
  });

  it('has no create button for a viewer', async () => {
    renderApp('/apps', { role: 'viewer', handlers: { apps: () => ({ items: [app('chat')] }) } });
    await screen.findByRole('link', { name: 'CHAT' });
    expect(screen.queryByRole('button', { name: 'Create app' })).toBeNull();
  });

  it('shows the error of a failed load', async () => {
    renderApp('/apps', {
      handlers: {
        apps: () => {
          throw new FakeProblem('internal', 'Database locked');
        },
      },
    });
    expect(await screen.findByText('Database locked')).toBeInTheDocument();
  });

  it('creates an app and shows its secret and token key once, with copy buttons', async () => {
    const user = userEvent.setup();
    const created = app('shop');
    const { calls } = renderApp('/apps', {
      handlers: {
        apps: () => ({ items: [] }),
        createApp: () => ({
          app: created,
          secret: { kid: 'ps_9', secret: 'bk_SECRET_VALUE' },
          tokenKey: { kid: 'tk_9', secret: 'tk_TOKEN_VALUE' },
        }),
        app: () => created,
        appKeys: () => keys,
      },
    });
    await user.click((await screen.findAllByRole('button', { name: 'Create app' }))[0] as HTMLElement);
    const form = screen.getByRole('dialog', { name: 'Create an app' });
    await user.type(within(form).getByLabelText('Name'), 'Shop');
    await user.type(within(form).getByLabelText('Key'), 'shop');
    await user.click(within(form).getByRole('button', { name: 'Create app' }));

    const shown = await screen.findByRole('dialog', { name: 'App shop created' });
    expect(within(shown).getByText('bk_SECRET_VALUE')).toBeInTheDocument();
    expect(within(shown).getByText('tk_TOKEN_VALUE')).toBeInTheDocument();
    expect(within(shown).getByText(/Shown only once/)).toBeInTheDocument();
    await user.click(within(shown).getAllByRole('button', { name: /Copy/ })[0] as HTMLElement);
    expect(await navigator.clipboard.readText()).toBe('bk_SECRET_VALUE');
    expect(within(shown).getByRole('button', { name: /copied/ })).toBeInTheDocument();
    // it cannot be dismissed before the operator says the secrets are stored
    expect(within(shown).getByRole('button', { name: 'Done' })).toBeDisabled();
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'App shop created' })).toBeInTheDocument();
    await user.click(within(shown).getByLabelText('I have stored the secret values'));
    await user.click(within(shown).getByRole('button', { name: 'Done' }));

    expect(await screen.findByRole('heading', { name: /SHOP/ })).toBeInTheDocument();
    expect(screen.queryByText('bk_SECRET_VALUE')).toBeNull();
    expect(screen.queryByText('tk_TOKEN_VALUE')).toBeNull();
    expect(calls.find((c) => c.name === 'createApp')?.body).toEqual({
      name: 'Shop',
      key: 'shop',
      settings: { allowAnonymous: false, clientPublish: false },
    });
  });
});

describe('App page', () => {
  it('deletes only after the key is typed exactly', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/apps/chat', {
      handlers: {
        app: () => app('chat'),
        appKeys: () => keys,
        deleteApp: () => undefined,
        apps: () => ({ items: [] }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete CHAT?' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete app' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Confirm the app key'), 'cha');
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Confirm the app key'), 't');
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    expect(await screen.findByText('App chat deleted')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'deleteApp')?.body).toEqual({ confirm: 'chat' });
    expect(screen.getByTestId('location')).toHaveTextContent('/apps');
  });

  it('rotates the push secret and shows the new one once', async () => {
    const user = userEvent.setup();
    renderApp('/apps/chat', {
      handlers: {
        app: () => app('chat'),
        appKeys: () => keys,
        rotateSecret: () => ({ app: app('chat'), secret: { kid: 'ps_2', secret: 'bk_NEW' } }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Rotate secret' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate secret' }));
    const shown = await screen.findByRole('dialog', { name: 'New push secret' });
    expect(within(shown).getByText('bk_NEW')).toBeInTheDocument();
  });

  it('saves only the changed settings, null meaning the platform default', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/apps/chat', {
      handlers: { app: () => app('chat'), appKeys: () => keys, updateApp: () => app('chat') },
    });
    const topics = await screen.findByLabelText('Topics per connection');
    await user.clear(topics);
    await user.type(screen.getByLabelText('Client publish rate'), '25');
    await user.click(screen.getByLabelText(/Allow anonymous clients/));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(calls.find((c) => c.name === 'updateApp')?.body).toEqual({
        settings: { allowAnonymous: true, publishRate: 25, maxTopicsPerConnection: null },
      }),
    );
  });

  it('shows a viewer the settings read-only and no action buttons', async () => {
    renderApp('/apps/chat', { role: 'viewer', handlers: { app: () => app('chat'), appKeys: () => keys } });
    expect(await screen.findByLabelText('Max connections')).toBeDisabled();
    for (const name of [
      'Rotate secret',
      'Rotate token key',
      'Disable',
      'Delete',
      'Save settings',
      'Add public key',
    ])
      expect(screen.queryByRole('button', { name })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(await screen.findByText('ps_1')).toBeInTheDocument();
  });

  it('offers Revoke on an active token key but not on the active push secret, nor on retired keys', async () => {
    const user = userEvent.setup();
    const retired = { createdAt: '2026-09-01T08:00:00.000Z', revokedAt: '2026-10-01T08:00:00.000Z' };
    const { calls } = renderApp('/apps/chat', {
      handlers: {
        app: () => app('chat'),
        appKeys: () => ({
          items: [
            ...keys.items,
            { kid: 'ps_0', kind: 'push_secret' as const, alg: null, ...retired },
            { kid: 'tk_0', kind: 'token_hmac' as const, alg: 'HS256', ...retired },
          ],
        }),
        revokeKey: () => undefined,
      },
    });
    const row = async (kid: string) => (await screen.findByText(kid)).closest('tr') as HTMLElement;
    // The API refuses to revoke the active push secret (409): rotating replaces it, and the row says so.
    expect(within(await row('ps_1')).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(within(await row('ps_1')).getByText(/Rotate secret/)).toBeInTheDocument();
    expect(within(await row('ps_0')).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(within(await row('tk_0')).queryByRole('button', { name: 'Revoke' })).toBeNull();
    await user.click(within(await row('tk_1')).getByRole('button', { name: 'Revoke' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    expect(await screen.findByText('Key tk_1 revoked')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'revokeKey')?.params).toEqual({ key: 'chat', kid: 'tk_1' });
  });

  it('disables an app after confirmation and says its clients were closed', async () => {
    const user = userEvent.setup();
    renderApp('/apps/chat', {
      handlers: {
        app: () => app('chat'),
        appKeys: () => keys,
        disableApp: () => app('chat', { enabled: false }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Disable' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Disable app' }));
    expect(await screen.findByText(/its clients were closed \(4003\)/)).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Enable' })).toBeInTheDocument();
  });
});
