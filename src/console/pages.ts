import type { Audience } from './roles.js';

/** One page of the console (issue 10): where it is, what it is called in the nav, and who may open it. */
export interface ConsolePage {
  path: string;
  title: string;
  /** One line for the nav and the 'not built yet' page. */
  summary: string;
  audience: readonly Audience[];
}

/** A page as the nav shows it: built when a module of src/console/modules.ts serves its path. */
export interface NavPage extends ConsolePage {
  built: boolean;
}

/**
 * The console's pages and who may open each: the one table the nav, the access check and the tests read.
 * `ops` may open every page. A department sees its own summary; the documents behind a summary will be
 * reached through that summary (its filter limited to the department's document types), not through the
 * messages search, which shows every partner's documents.
 */
export const PAGES: readonly ConsolePage[] = [
  { path: '/console', title: 'Home', summary: 'who is signed in and the pages of your role', audience: ['ops', 'integrator', 'marketing', 'planning', 'finance', 'partner'] },
  { path: '/console/overview', title: 'Traffic overview', summary: 'documents in, delivered and failed; queues; adapters; refusals', audience: ['ops'] },
  { path: '/console/queues', title: 'Queues', summary: 'the job queues: waiting, active, delayed and failed jobs per stage', audience: ['ops'] },
  { path: '/console/messages', title: 'Messages', summary: 'search by any business key, a message with its history, deliveries and chain', audience: ['ops', 'integrator'] },
  { path: '/console/refusals', title: 'Refusals', summary: 'documents refused at the intake, with their errors', audience: ['ops', 'integrator'] },
  { path: '/console/outbound', title: 'Outbound', summary: 'documents sent to partners: queued, sent, acknowledged, rejected, failed, overdue', audience: ['ops'] },
  { path: '/console/chains', title: 'Order chains', summary: 'orders with their changes, shipment notices and invoices', audience: ['ops', 'integrator'] },
  { path: '/console/summaries/marketing', title: 'Sales summary', summary: 'sales by product, customer and day or week', audience: ['ops', 'marketing'] },
  { path: '/console/summaries/planning', title: 'Purchasing summary', summary: 'purchases and receipts by supplier and item, open quantities', audience: ['ops', 'planning'] },
  { path: '/console/summaries/inventory', title: 'Inventory movement', summary: 'what sales took out and receipts brought in, per item', audience: ['ops', 'planning'] },
  { path: '/console/summaries/finance', title: 'Payables and receivables', summary: 'supplier and customer invoices by currency and due date', audience: ['ops', 'finance'] },
  { path: '/console/mapping-test', title: 'Mapping test', summary: 'map a pasted document without it entering the pipeline', audience: ['ops', 'integrator'] },
  { path: '/console/partner', title: 'Partner documents', summary: "a partner's own documents and refusals; validate before sending", audience: ['ops', 'partner'] },
];

/** The state-changing actions of the console's pages, with who may use them (a POST each, CSRF-checked). */
export const ACTIONS: readonly { path: string; title: string; audience: readonly Audience[] }[] = [
  { path: '/console/messages/replay', title: 'Replay a message', audience: ['ops'] },
  { path: '/console/replays', title: 'Bulk replay by filter', audience: ['ops'] },
  { path: '/console/mapping-test', title: 'Map a document without entering the pipeline', audience: ['ops', 'integrator'] },
  { path: '/console/partner/validate', title: 'Validate a document before sending it', audience: ['ops', 'partner'] },
];
