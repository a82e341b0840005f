import type { Request, Response } from 'express';

/** The session cookie, and the pre-session cookie that carries the sign-in form's CSRF token. */
export const SESSION_COOKIE = 'hub_console_session';
export const LOGIN_COOKIE = 'hub_console_login';

/** The cookies of a request (no cookie-parser: the console reads two). */
export function readCookies(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * Sets a console cookie: HttpOnly, SameSite=Strict, Path=/console, Secure when the hub serves TLS or the
 * request came over HTTPS (req.secure: through a trusted proxy's X-Forwarded-Proto). maxAgeSeconds 0 removes it.
 */
export function setConsoleCookie(req: Request, res: Response, name: string, value: string, options: { tls: boolean; maxAgeSeconds: number }): void {
  const attributes = [`${name}=${value}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAgeSeconds}`];
  if (options.tls || req.secure) attributes.push('Secure');
  res.append('Set-Cookie', attributes.join('; '));
}
