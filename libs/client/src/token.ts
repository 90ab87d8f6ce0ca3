/** The JWT's `exp` in epoch ms, or undefined when it has none or is not a JWT. The SDK never verifies. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const exp: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When to fetch a fresh token: `lead` ms before `exp`, but no earlier than half its remaining life. */
export function refreshAt(expMs: number, now: number, lead: number): number {
  return expMs - Math.min(lead, Math.max(0, expMs - now) / 2);
}
