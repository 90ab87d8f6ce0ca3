/** The session cookie's name; Path=/admin, so it goes nowhere else (not to the push API). */
export const SESSION_COOKIE = 'beacon_session';

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, opts: { maxAgeSec: number; secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSec))}`,
    ...(opts.secure ? ['Secure'] : []),
  ].join('; ');
}
