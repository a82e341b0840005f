/**
 * The check before an EDI document leaves the hub (issue 12, point 2: an invalid one is never sent): the built text
 * is read back with the hub's own readers and every transaction validated with the same transaction set rules the
 * intake judges partners' documents by (src/edi/x12/validate.ts, src/edi/edifact/validate.ts), so what the hub sends
 * is held to what it asks of others. A set or message the hub has no rules for is itself a problem: nothing leaves
 * unchecked.
 */
import { HubError } from '../errors/hub-error.js';
import { readEdifact } from './edifact/read.js';
import { EdiSyntaxError, type EdiInterchange, type EdiProblem } from './types.js';
import { readX12 } from './x12/read.js';
import { append } from '../util/arrays.js';

/** A problem of a built document, with the transaction it is in (ST02 / UNH 0062) when it is in one. */
export interface OutboundProblem extends EdiProblem {
  transaction?: string;
}

/** Every problem of an interchange, in order: the envelope's, then per group its own and its transactions'. */
function problemsOf(ic: EdiInterchange): OutboundProblem[] {
  const out: OutboundProblem[] = [...ic.problems];
  for (const group of ic.groups) {
    append(out, group.problems);
    for (const tx of group.transactions) for (const p of tx.problems) out.push({ ...p, transaction: tx.controlNumber });
  }
  return out;
}

/** Reads the built text back and returns its problems (empty: it may be sent). */
export function checkOutbound(syntax: 'x12' | 'edifact', text: string): OutboundProblem[] {
  try {
    return problemsOf(syntax === 'x12' ? readX12(text) : readEdifact(text));
  } catch (error) {
    if (error instanceof EdiSyntaxError) return [error.problem];
    throw error;
  }
}

/** How a problem reads in an error list: where it is, then what. */
function describe(p: OutboundProblem): string {
  const where = [p.transaction ? `transaction ${p.transaction}` : undefined,
    p.segmentId ? `${p.segmentId}${p.segmentPosition !== undefined ? ` (segment ${p.segmentPosition})` : ''}` : undefined,
    p.elementPosition !== undefined ? `element ${p.elementPosition}${p.componentPosition !== undefined ? `:${p.componentPosition}` : ''}` : undefined]
    .filter(Boolean).join(', ');
  return `${where ? `${where}: ` : ''}${p.message} (code ${p.code})`;
}

/**
 * Throws HUB_ERR_EDI_INVALID listing every problem when the built document is not valid; returns the text when it is.
 * `what` names the document in the message (e.g. "850 PO-4711 for acme").
 */
export function assertOutboundValid(syntax: 'x12' | 'edifact', text: string, what: string): string {
  const problems = checkOutbound(syntax, text);
  if (problems.length === 0) return text;
  const label = syntax === 'x12' ? 'X12' : 'EDIFACT';
  throw new HubError('HUB_ERR_EDI_INVALID',
    `the ${label} document built (${what}) fails the hub's own check and is not sent: ${describe(problems[0]!)}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    {
      errors: problems.map((p) => ({ message: describe(p), ...(p.line !== undefined ? { line: p.line } : {}) })),
      details: { direction: 'outbound', problems },
    });
}
