import { chainRoutes } from './chains.js';
import { mappingTestRoutes } from './mapping-test.js';
import { messageRoutes } from './messages.js';
import { outboundRoutes } from './outbound.js';
import { overviewRoutes } from './overview.js';
import { partnerRoutes } from './partner.js';
import { queueRoutes } from './queues.js';
import { refusalRoutes } from './refusals.js';
import type { ConsoleDeps, ConsoleRoute } from './routes.js';
import { summaryRoutes } from './summaries.js';

/**
 * Every page module of the console and its routes. A new page is an entry in pages.ts (path, title, roles)
 * and a module here; the router adds the session, CSRF and role checks.
 */
export function consoleRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    ...overviewRoutes(deps),
    ...queueRoutes(deps),
    ...messageRoutes(deps),
    ...refusalRoutes(deps),
    ...outboundRoutes(deps),
    ...chainRoutes(deps),
    ...summaryRoutes(deps),
    ...mappingTestRoutes(deps),
    ...partnerRoutes(deps),
  ];
}
