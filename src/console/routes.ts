import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { HubConfig } from '../config/types.js';
import type { Database } from '../db/database.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { HubMetrics } from '../metrics.js';
import type { HubQueues } from '../queue/queues.js';
import type { AuditLog } from '../store/audit-log.js';
import type { MessageStore } from '../store/message-store.js';
import type { OutboundStore } from '../store/outbound-store.js';
import type { RefusalStore } from '../store/refusal-store.js';
import type { XsdCache } from '../xml/xsd-cache.js';
import type { Audience } from './roles.js';

/** What the console's pages may use: the hub's stores, queues and configuration. */
export interface ConsoleDeps {
  config: HubConfig;
  db: Database;
  redis: Redis;
  audit: AuditLog;
  logger: Logger;
  store: MessageStore;
  refusals: RefusalStore;
  queues: HubQueues;
  mappings: MappingRegistry;
  xsd: XsdCache;
  adapters: AdapterRegistry;
  metrics?: HubMetrics;
  /** Outbound documents (the outbound page); absent in a hub built without them. */
  outbound?: OutboundStore;
}

/** A console handler: the access check has passed; it answers the request. */
export type ConsoleHandler = (req: Request, res: Response) => Promise<void>;

/**
 * One route of a console page module (src/console/<page>.ts): its full path under /console (express syntax,
 * e.g. `/console/chains/:id`), who may use it, and its handler. The router checks the audience (a 403 page
 * otherwise), the session and, for POST, the CSRF token before the handler runs.
 */
export interface ConsoleRoute {
  method: 'GET' | 'POST';
  path: string;
  audience: readonly Audience[];
  handler: ConsoleHandler;
}
