import { HubError } from '../errors/hub-error.js';

/** A position in a newest-first listing: the last item's time and id (ids break ties between equal times). */
export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { at, id };
  } catch {
    /* reported below */
  }
  throw new HubError('HUB_ERR_BAD_REQUEST', 'cursor is not one this hub gave out; use the "next" value of the previous page as it is.');
}
