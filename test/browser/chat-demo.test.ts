import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeaconProcess, MAIN_JS } from '../support/process.js';
import { freePort } from '../support/ports.js';
import { waitUntil } from '../support/wait.js';

// Issue 9: the chat demo (apps/chat-demo) served by a real single process (`npm run build`), two
// Chromium contexts chatting; one goes offline for 2 s while the other sends, and shows every message
// once and in order when it is back. Screenshots go to docs/img/chat-demo-*.png.
const IMG = fileURLToPath(new URL('../../docs/img/', import.meta.url));
const DEMO_DIST = fileURLToPath(new URL('../../apps/chat-demo/dist/index.html', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'beacon-browser-chat-'));
let beacon: BeaconProcess;
let browser: Browser;
let url = '';
const contexts: BrowserContext[] = [];
const errors: string[] = [];

const OFFLINE = 'Offline — reconnecting when the network is back';

async function joinAs(name: string, colour: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 760 },
    colorScheme,
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('radio').nth(colour).click();
  await page.getByRole('button', { name: 'Join the chat' }).click();
  await connected(page);
  return page;
}

async function connected(page: Page, timeout = 10_000): Promise<void> {
  await page.locator('[data-testid="state"][data-state="connected"]').waitFor({ timeout });
  await expect.poll(() => page.getByTestId('state').innerText()).toBe('Connected');
}

/** The page's computed background, as [r, g, b]. */
async function background(page: Page, selector: string): Promise<number[]> {
  const css = await page.evaluate<string>(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`,
  );
  return (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

/** Messages in turn after `prior`, each waited for on every page (so they are in this order). */
async function say(prior: string[], lines: [Page, string][], pages: Page[]): Promise<string[]> {
  const sent = [...prior];
  for (const [page, text] of lines) {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
    sent.push(text);
    for (const p of pages) await expect.poll(() => texts(p)).toEqual(sent);
  }
  return sent;
}

const members = (p: Page) => p.getByTestId('member-name').allInnerTexts();
const texts = (p: Page) => p.getByTestId('text').allInnerTexts();

beforeAll(async () => {
  for (const f of [MAIN_JS, DEMO_DIST])
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  beacon = await BeaconProcess.start({
    BEACON_PORT: String(await freePort()),
    BEACON_GRPC_PORT: 'off',
    BEACON_DATA_DIR: dataDir,
    BEACON_LOG_LEVEL: 'error',
  });
  // printed after the listening line, maybe in a later chunk of stdout
  const demoUrl = () => /chat demo: (http:\/\/\S+)\s/.exec(beacon.stdout)?.[1];
  await waitUntil(
    () => demoUrl() !== undefined || beacon.exitCode !== null,
    10_000,
    () => `no demo URL printed:\n${beacon.stdout}`,
  );
  const printed = demoUrl();
  if (printed === undefined) throw new Error(`no demo URL printed:\n${beacon.stdout}`);
  url = printed;
  browser = await chromium.launch({
    executablePath: process.env['BEACON_CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  mkdirSync(IMG, { recursive: true });
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await beacon?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('chat demo in Chromium', () => {
  it('two pages chat, see each other, and a page offline for 2 s gets every message once, in order', async () => {
    const ada = await joinAs('Ada', 5);
    await ada.getByText('No messages in #general yet.').waitFor();
    await ada.screenshot({ path: join(IMG, 'chat-demo-empty.png') });
    const bo = await joinAs('Bo', 0);

    await expect.poll(() => members(ada)).toEqual(['Ada', 'Bo']);
    await expect.poll(() => members(bo)).toEqual(['Ada', 'Bo']);

    const hi = 'Hi Ada, welcome to #general';
    await bo.getByLabel('Message').fill(hi);
    await bo.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => texts(ada)).toEqual([hi]);
    const before = await say(
      [hi],
      [
        [ada, 'Hello Bo! Is this the demo from the quick start?'],
        [bo, 'It is: one npm start, and this page in two tabs.'],
        [bo, 'Everything you see comes over one WebSocket per tab.'],
        [ada, 'Nice. And the member list on the right is presence?'],
        [bo, 'Yes, and the messages here are the room history when you join.'],
        [ada, "I'll drop my Wi-Fi for a moment and see if I miss anything."],
      ],
      [ada, bo],
    );
    // the docs' pictures of a conversation, before the offline part floods the room
    await ada.screenshot({ path: join(IMG, 'chat-demo.png') });
    await bo.screenshot({ path: join(IMG, 'chat-demo-second-tab.png') });

    // the dark theme follows prefers-color-scheme: a third user in a dark browser sees the history
    const cy = await joinAs('Cy', 6, 'dark');
    await expect.poll(() => texts(cy)).toEqual(before);
    await expect.poll(() => members(cy)).toEqual(['Ada', 'Bo', 'Cy']);
    for (const sel of ['body', '.main', '.sidebar', '.composer input']) {
      const [r = 255, g = 255, b = 255] = await background(cy, sel);
      expect(Math.max(r, g, b), `${sel} is dark`).toBeLessThan(48);
    }
    const [r = 0, g = 0, b = 0] = await background(ada, '.main');
    expect(Math.min(r, g, b), 'the light page stays light').toBeGreaterThan(230);
    await cy.screenshot({ path: join(IMG, 'chat-demo-dark.png') });
    await contexts[2]!.close();
    await expect.poll(() => members(ada), { timeout: 10_000 }).toEqual(['Ada', 'Bo']);

    // Ada drops off the network; Bo keeps talking for 2 s
    await contexts[0]!.setOffline(true);
    await expect.poll(() => ada.getByTestId('state').innerText()).toBe(OFFLINE);
    const started = Date.now();
    const missed: string[] = [];
    for (let i = 1; Date.now() - started < 2000 || i <= 5; i++) {
      const text = `while you were away #${i}`;
      await bo.getByLabel('Message').fill(text);
      await bo.getByLabel('Message').press('Enter');
      await expect.poll(() => texts(bo)).toEqual([...before, ...missed, text]);
      missed.push(text);
    }
    await ada.getByTestId('reconnecting').getByText('You are offline').waitFor();
    expect(await ada.getByTestId('state').innerText()).toBe(OFFLINE);
    expect(await texts(ada)).toEqual(before);
    // Offline, presence is not known: the last member list is shown as such, nobody marked online.
    expect(await ada.getByTestId('members').getAttribute('data-stale')).toBe('true');
    expect(await ada.getByTestId('members').locator('.online').count()).toBe(0);
    expect(await ada.getByTestId('online-count').innerText()).toBe('presence paused');
    await ada.screenshot({ path: join(IMG, 'chat-demo-reconnecting.png') });
    await contexts[0]!.setOffline(false);

    await connected(ada, 20_000);
    await expect.poll(() => texts(ada), { timeout: 10_000 }).toEqual([...before, ...missed]);
    expect(await ada.getByTestId('reconnecting').count()).toBe(0);
    await expect.poll(() => ada.getByTestId('online-count').innerText()).toBe('2 online');
    expect(await ada.getByTestId('members').getAttribute('data-stale')).toBeNull();
    expect(await ada.getByTestId('members').locator('.online').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
