import type { ConsoleDeps, ConsoleRoute } from './routes.js';

/** Not built yet (issue 10): the router answers this page with 'not built yet'. */
export function partnerRoutes(_deps: ConsoleDeps): ConsoleRoute[] {
  return [];
}
