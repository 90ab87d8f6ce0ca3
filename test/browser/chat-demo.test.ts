import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeaconProcess, MAIN_JS } from '../support/process.js';
import { freePort } from '../support/ports.js';

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

async function joinAs(name: string, colour: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 760 },
    colorScheme: 'light',
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
  await page.getByTestId('state').getByText('connected').waitFor();
  return page;
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
  const printed = /chat demo: (http:\/\/\S+)/.exec(beacon.stdout)?.[1];
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

    await ada.getByLabel('Message').fill('Hello Bo!');
    await ada.getByLabel('Message').press('Enter');
    await bo.getByLabel('Message').fill('Hi Ada, welcome to #general');
    await bo.getByRole('button', { name: 'Send' }).click();
    const before = ['Hello Bo!', 'Hi Ada, welcome to #general'];
    await expect.poll(() => texts(ada)).toEqual(before);
    await expect.poll(() => texts(bo)).toEqual(before);

    // Ada drops off the network; Bo keeps talking for 2 s
    await contexts[0]!.setOffline(true);
    const started = Date.now();
    const missed: string[] = [];
    for (let i = 1; Date.now() - started < 2000 || i <= 5; i++) {
      const text = `while you were away #${i}`;
      await bo.getByLabel('Message').fill(text);
      await bo.getByLabel('Message').press('Enter');
      await expect.poll(() => texts(bo)).toEqual([...before, ...missed, text]);
      missed.push(text);
    }
    await ada.getByTestId('reconnecting').waitFor();
    await ada.screenshot({ path: join(IMG, 'chat-demo-reconnecting.png') });
    await contexts[0]!.setOffline(false);

    await ada.getByTestId('state').getByText('connected').waitFor({ timeout: 20_000 });
    await expect.poll(() => texts(ada), { timeout: 10_000 }).toEqual([...before, ...missed]);
    expect(await ada.getByTestId('reconnecting').count()).toBe(0);
    await ada.screenshot({ path: join(IMG, 'chat-demo.png') });
    await bo.screenshot({ path: join(IMG, 'chat-demo-second-tab.png') });
    expect(errors).toEqual([]);
  });
});
