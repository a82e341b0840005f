import type { Response } from 'express';
import { html, type SafeHtml } from './html.js';

/** Sends a built page with its status. */
export function send(res: Response, status: number, page: SafeHtml): void {
  res.status(status).type('text/html; charset=utf-8').send(page.value);
}

/** A time as people read it in a table: to the second, UTC; `none` when there is no time. */
export function when(iso: string | undefined, none = ''): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : none;
}

/** The address of a page with only the filters given, so a link stays short and can be bookmarked. */
export function pageHref(path: string, values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const query = params.toString();
  return `${path}${query ? `?${query}` : ''}`;
}

/** The string values of a query for the named parameters (what a search form shows again). */
export function queryValues(query: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (typeof query[name] === 'string') out[name] = query[name] as string;
  return out;
}

/** A labelled select with an "any" first option and the current value selected. */
export function selectField(name: string, label: string, options: readonly string[], current: string | undefined): SafeHtml {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${options.map((o) => html`<option value="${o}"${o === current ? ' selected' : ''}>${o}</option>`)}</select></label>`;
}
