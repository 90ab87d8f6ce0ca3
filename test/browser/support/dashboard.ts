import type { Page } from 'playwright-core';

/** Steps of the scenarios, in the dashboard's own words (labels and roles), so they work on any target. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('operator-email').waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

export async function go(page: Page, nav: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** The number shown in a stat tile ("22.4K" → 22400). */
export async function tileNumber(page: Page, label: string): Promise<number> {
  const text = (await page.getByRole('group', { name: label }).locator('.stat-value').textContent()) ?? '';
  const m = /([\d.,]+)\s*([KMB])?/i.exec(text);
  if (m === null) return Number.NaN;
  const n = Number((m[1] ?? '').replace(/,/g, ''));
  return n * ({ K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase() as 'K'] ?? 1);
}

/** A unique name per run, so scenarios can run again against the same platform. */
export const runId = (): string =>
  `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
