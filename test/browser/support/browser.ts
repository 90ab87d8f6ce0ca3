import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Debian's Chromium with the flags from the toolchain notes, on a fresh profile, 1280 px wide. */
export async function launch(): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
  close: () => Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'beacon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env['BEACON_CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Two frames later: layout, effects and canvas drawing of a change are on screen. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))',
  );
}

/**
 * Screenshots of the page as it is, in the light and the dark theme (prefers-color-scheme, the dashboard's
 * default "system" choice), to test/browser/artifacts/<name>-light.png and -dark.png. Full page, except for
 * dialogs (`fullPage: false`: their overlay covers the viewport only).
 */
export async function shoot(
  page: Page,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction(`document.documentElement.dataset.theme === '${scheme}'`);
    await settled(page);
    await page.screenshot({
      path: join(ARTIFACTS, `${name}-${scheme}.png`),
      fullPage,
      animations: 'disabled',
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
