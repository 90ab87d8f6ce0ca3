import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, settled, shoot } from './support/browser.js';
import { go, runId, signIn, signOut, tileNumber } from './support/dashboard.js';
import { startTarget, type Target } from './support/target.js';

// One operator's session through every page, in order; each step leaves screenshots (light and dark) in
// test/browser/artifacts/. Against a real platform: BEACON_BROWSER_BASE_URL and the admin's credentials;
// BEACON_BROWSER_TARGET=platform or =cluster starts one (support/target.ts).
const IMG = fileURLToPath(new URL('../../docs/img/', import.meta.url));
let target: Target;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const id = runId();
const appKey = `e2e-${id}`;
const viewer = { email: `viewer-${id}@example.test`, password: `viewer-pass-${id}-x` };
let firstSecret = '';
let tokenKey = '';
/** A table's rows as text, cells separated by one space. */
const rowTexts = async (page: Page, table: string): Promise<string[]> =>
  (await page.getByRole('table', { name: table }).locator('tbody tr').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );

beforeAll(async () => {
  target = await startTarget();
  browser = await launch();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await target?.stop();
});

describe('the dashboard in Chromium', () => {
  it('signs in', async () => {
    await page.goto(`${target.baseUrl}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(page, '01-sign-in');
    await page.getByLabel('Email').fill(target.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await shoot(page, '01-sign-in-refused');
    await page.getByLabel('Password').fill(target.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByTestId('operator-email').textContent()).toBe(target.admin.email);
  });

  it('shows live counts and charts on the overview', async () => {
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Nodes' }).waitFor();
    expect(await tileNumber(page, 'Connections')).toBeGreaterThanOrEqual(0);
    expect(await page.locator('.uplot canvas').count()).toBeGreaterThanOrEqual(4);
    if (target.fixture) expect(await tileNumber(page, 'Connections')).toBeGreaterThan(1000);
    // a started platform: its 50 test clients show, live
    if (target.clients !== undefined) {
      await expect
        .poll(() => tileNumber(page, 'Connections'), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(target.clients);
    }
    const first = await page.locator('.stat-sub').first().textContent();
    expect(first).toMatch(/subscriptions/);
    // a new sample arrives about every second: the "Updated" time moves
    const updated = await page.getByText(/^Updated/).textContent();
    await expect.poll(() => page.getByText(/^Updated/).textContent(), { timeout: 5000 }).not.toBe(updated);
    if (target.gateways !== undefined) {
      await clusterNodes(page, target.gateways);
      // for docs/dashboard.md; before shoot(), whose theme switches redraw the charts
      await page.screenshot({
        path: join(IMG, 'dashboard-cluster-overview.png'),
        fullPage: true,
        animations: 'disabled',
      });
    }
    await shoot(page, '02-overview');
  });

  it('lists topics, searches them and tails one while publishing to it', async () => {
    await go(page, 'Topics', 'Topics');
    await page.getByRole('table', { name: 'Topics' }).locator('tbody tr a').first().waitFor();
    await shoot(page, '03-topics');
    await page.getByLabel('Topic prefix').fill('no-such-prefix-');
    await page.getByText('No topic matches').waitFor();
    await shoot(page, '03-topics-empty');
    await page.getByLabel('Topic prefix').fill('');
    const link = page.getByRole('table', { name: 'Topics' }).locator('tbody tr a').first();
    await link.waitFor();
    const topic = (await link.textContent()) ?? '';
    await link.click();
    await page.getByRole('table', { name: 'Subscribers per node' }).waitFor();
    if (target.gateways !== undefined) {
      // the busiest topic has subscribers on both gateways, counted per gateway
      expect(topic).toBe('news.live');
      const expected = target.gateways.map((g) => `${g.nodeId} ${g.clients}`).sort();
      await expect
        .poll(async () => (await rowTexts(page, 'Subscribers per node')).sort(), { timeout: 10_000 })
        .toEqual(expected);
      expect(await tileNumber(page, 'Subscribers')).toBe(target.clients);
    }
    await page.getByLabel('Message (JSON)').fill(JSON.stringify({ e2e: id }));
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('log').getByText(`"e2e": "${id}"`).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(topic);
    await shoot(page, '04-topic');
  });

  it('creates an app, shows its secret and token key once, and rotates the secret', async () => {
    await go(page, 'Apps & keys', 'Apps & keys');
    await page.getByRole('table', { name: 'Apps' }).locator('tbody tr a').first().waitFor();
    await shoot(page, '05-apps');
    await page.getByRole('button', { name: 'Create app' }).first().click();
    const form = page.getByRole('dialog', { name: 'Create an app' });
    await form.getByLabel('Name').fill(`E2E ${id}`);
    await form.getByLabel('Key').fill(appKey);
    await shoot(page, '06-create-app', { fullPage: false });
    await form.getByRole('button', { name: 'Create app' }).click();
    const shown = page.getByRole('dialog', { name: `App ${appKey} created` });
    await shown.waitFor();
    const secrets = await shown.getByTestId('secret').allTextContents();
    expect(secrets).toHaveLength(2);
    for (const s of secrets) expect(s.length).toBeGreaterThan(16);
    firstSecret = secrets[0] ?? '';
    tokenKey = secrets[1] ?? '';
    await shoot(page, '07-app-created-secrets', { fullPage: false });
    await shown.getByLabel('I have stored the secret values').check();
    await shown.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`E2E ${id}`) }).waitFor();
    // shown once: gone from the page, and not there after a reload either
    await page.reload();
    await page.getByRole('table', { name: 'Keys' }).locator('tbody tr code').first().waitFor();
    expect(await page.content()).not.toContain(firstSecret);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('dialog', { name: 'New push secret' });
    await rotated.waitFor();
    const next = await rotated.getByTestId('secret').textContent();
    expect(next).not.toBe(firstSecret);
    await rotated.getByLabel('I have stored the secret values').check();
    await rotated.getByRole('button', { name: 'Done' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Keys' }).getByText('revoked').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await shoot(page, '08-app');
  });

  it('finds the creation and the rotation in the audit log', async () => {
    await go(page, 'Audit log', 'Audit log');
    await page.getByLabel('App').selectOption(appKey);
    const table = page.getByRole('table', { name: 'Audit records' });
    const rows = table.locator('tbody tr');
    await expect
      .poll(
        async () =>
          (await rows.allTextContents()).every((t) => t.includes(appKey)) && (await rows.count()) >= 2,
        { timeout: 10_000 },
      )
      .toBe(true);
    await table.getByText('app.rotate').waitFor();
    await table.getByText('app.create').waitFor();
    expect(await table.locator('tbody tr').first().textContent()).toContain('app.rotate'); // newest first
    expect(await table.locator('tbody tr').first().textContent()).toContain(`operator:${target.admin.email}`);
    await page.getByLabel('App').selectOption('');
    await table.locator('tbody tr').nth(5).waitFor();
    await shoot(page, '09-audit');
  });

  it('finds a connection by user id and disconnects it', async () => {
    await go(page, 'Connections', 'Connections');
    const table = page.getByRole('table', { name: 'Connections' });
    await table.locator('tbody tr a').first().waitFor();
    if (target.gateways !== undefined) {
      // one list across the cluster: clients of both gateways
      const nodes = target.gateways.map((g) => g.nodeId).sort();
      await expect
        .poll(
          async () => [...new Set(await table.locator('tbody tr td:nth-child(4)').allInnerTexts())].sort(),
          {
            timeout: 10_000,
          },
        )
        .toEqual(nodes);
    }
    await shoot(page, '10-connections');
    let user = target.userId;
    if (user === undefined) {
      const cells = await table.locator('tbody tr td:nth-child(2)').allTextContents();
      user = cells.find((c) => /^user-/.test(c));
    }
    expect(user, 'a user with connections (BEACON_BROWSER_USER_ID)').toBeDefined();
    await page.getByLabel('Search by user id').fill(user ?? '');
    await expect
      .poll(
        async () =>
          (await table.locator('tbody tr td:nth-child(2)').allTextContents()).every((c) => c === user),
        { timeout: 10_000 },
      )
      .toBe(true);
    // in the cluster the user lives on the second gateway: the dashboard's kick goes through its gateway
    const onGateway = target.gateways?.[1]?.nodeId;
    if (onGateway !== undefined)
      expect(await table.locator('tbody tr td:nth-child(4)').allInnerTexts()).toEqual([onGateway]);
    await table.locator('tbody tr a').first().click();
    await page.getByRole('button', { name: 'Disconnect', exact: true }).waitFor();
    const clientId = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
    await shoot(page, '11-connection');
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText(/Disconnected 1 connection/).waitFor();
    await page.goto(`${target.baseUrl}/dashboard/connections/${encodeURIComponent(clientId)}`);
    await page.getByText('This connection is closed').waitFor();
    // on a started platform the client itself saw the server's kick: close 4010
    if (target.closeCodeOf !== undefined) {
      await expect.poll(() => target.closeCodeOf?.(user ?? ''), { timeout: 5_000 }).toBe(4010);
    }
  });

  it('disables an app, and its clients (on every gateway) close with 4003 within 2 s', async () => {
    // on a started platform: a client of the new app on each gateway (the single process: one)
    const clients = await target.appClients?.(appKey, tokenKey);
    try {
      await page.goto(`${target.baseUrl}/dashboard/apps/${appKey}`);
      await page.getByRole('button', { name: 'Disable' }).click();
      const clicked = Date.now();
      await page.getByRole('dialog').getByRole('button', { name: 'Disable app' }).click();
      if (clients !== undefined) {
        const all = clients.closes().map(() => 4003);
        await expect.poll(() => clients.closes().map((c) => c.code), { timeout: 2_000 }).toEqual(all);
        for (const c of clients.closes()) expect((c.at ?? Infinity) - clicked).toBeLessThanOrEqual(2_000);
      }
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      await page.getByRole('heading', { level: 1 }).getByText('disabled').waitFor();
      await shoot(page, '12-app-disabled');
    } finally {
      clients?.stop();
    }
  });

  it('creates a viewer operator (admins only)', async () => {
    await go(page, 'Operators', 'Operators');
    await page.getByRole('table', { name: 'Operators' }).getByText('you').waitFor();
    await page.getByRole('button', { name: 'Create operator' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an operator' });
    await dialog.getByLabel('Email').fill(viewer.email);
    await dialog.getByLabel('Password').fill(viewer.password);
    await dialog.getByRole('button', { name: 'Create operator' }).click();
    await page
      .getByRole('dialog', { name: `Operator ${viewer.email} created` })
      .getByRole('button', { name: 'Done' })
      .click();
    await page.getByRole('table', { name: 'Operators' }).getByText(viewer.email).waitFor();
    await shoot(page, '13-operators');
  });

  it('shows a viewer no mutating control', async () => {
    await signOut(page);
    await signIn(page, target.baseUrl, viewer.email, viewer.password);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).count(),
    ).toBe(0);
    await go(page, 'Apps & keys', 'Apps & keys');
    await page.getByRole('table', { name: 'Apps' }).locator('tbody tr a').first().waitFor();
    expect(await page.getByRole('button', { name: 'Create app' }).count()).toBe(0);
    await page.goto(`${target.baseUrl}/dashboard/apps/${appKey}`);
    await page.getByRole('table', { name: 'Keys' }).locator('tbody tr code').first().waitFor();
    for (const name of [
      'Rotate secret',
      'Rotate token key',
      'Enable',
      'Delete',
      'Save settings',
      'Add public key',
      'Revoke',
    ])
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await page.getByLabel('Max connections').isDisabled()).toBe(true);
    await shoot(page, '14-viewer-app');
    await go(page, 'Connections', 'Connections');
    await page.getByRole('table', { name: 'Connections' }).locator('tbody tr a').first().click();
    await page.getByRole('heading', { name: 'Connection' }).waitFor();
    expect(await page.getByRole('button', { name: /Disconnect/ }).count()).toBe(0);
    await page.goto(`${target.baseUrl}/dashboard/operators`);
    await page.getByText('Admins only').waitFor();
  });

  it('returns to sign-in when the session expires', async () => {
    if (target.expireSessions === undefined) return; // only the fixture can end sessions on demand
    await page.goto(`${target.baseUrl}/dashboard/topics`);
    await page.getByRole('table', { name: 'Topics' }).locator('tbody tr a').first().waitFor();
    await target.expireSessions();
    await go(page, 'Audit log', 'Sign in').catch(async () =>
      page.getByRole('heading', { name: 'Sign in' }).waitFor(),
    );
    await page.getByText('Your session has expired').waitFor();
    await shoot(page, '15-session-expired');
  });

  it('signs out, and cleans up', async () => {
    if (!target.fixture) {
      // only the fixture can expire the viewer's session (the step before): sign the viewer out here
      await page.goto(`${target.baseUrl}/dashboard/`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await signOut(page);
    }
    await signIn(page, target.baseUrl, target.admin.email, target.admin.password);
    await page.goto(`${target.baseUrl}/dashboard/apps/${appKey}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: /Delete/ });
    expect(await dialog.getByRole('button', { name: 'Delete app' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Confirm the app key').fill(appKey);
    await shoot(page, '16-delete-app', { fullPage: false });
    await dialog.getByRole('button', { name: 'Delete app' }).click();
    await page.getByRole('heading', { level: 1, name: 'Apps & keys' }).waitFor();
    await signOut(page);
    await page.getByText('You have signed out.').waitFor();
    await settled(page);
    expect(browser.errors).toEqual([]);
  });
});

/** The cluster's overview: the topic-service, both gateways (each with its clients, live) and the push-api. */
async function clusterNodes(page: Page, gateways: { nodeId: string; clients: number }[]): Promise<void> {
  const nodes = page.getByRole('table', { name: 'Nodes' });
  const kinds = async () => (await nodes.locator('tbody tr td:nth-child(2)').allInnerTexts()).sort();
  await expect.poll(kinds, { timeout: 15_000 }).toEqual(['gateway', 'gateway', 'push API', 'topic-service']);
  expect(await nodes.locator('tbody tr td:nth-child(3)').allInnerTexts()).toEqual(['up', 'up', 'up', 'up']);
  expect(await tileNumber(page, 'Nodes')).toBe(4);
  for (const g of gateways) {
    const row = nodes.locator('tbody tr', { hasText: g.nodeId });
    const cell = (n: number) => row.locator(`td:nth-child(${n})`).innerText();
    await expect.poll(() => cell(5), { timeout: 10_000 }).toBe(String(g.clients)); // connections
    expect(Number(await cell(6))).toBe(2 * g.clients); // subscriptions: two topics each
    expect(await cell(8)).toMatch(/\d.*B$/); // memory
    await expect.poll(async () => parseFloat(await cell(10)), { timeout: 10_000 }).toBeGreaterThan(0); // deliveries/s
  }
  // uptime of every node moves with the live stream
  const uptimes = await nodes.locator('tbody tr td:nth-child(4)').allInnerTexts();
  for (const u of uptimes) expect(u).toMatch(/\d/);
  await expect
    .poll(() => nodes.locator('tbody tr td:nth-child(4)').allInnerTexts(), { timeout: 5_000 })
    .not.toEqual(uptimes);
}
