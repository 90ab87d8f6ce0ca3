/** Polls a condition until it holds or the deadline passes. Tests wait on conditions, never on sleeps. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  describe?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms: ${describe?.() ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Proves a negative: something that would have arrived by now did not. `marker` is a condition that
 * becomes true only after anything sent before it must have been delivered (same connection, in order).
 */
export async function settle(marker: () => boolean, timeoutMs = 5_000): Promise<void> {
  await waitUntil(marker, timeoutMs, () => 'marker not seen');
}
