import type { CanonicalType } from '../canonical/types.js';
import type { ErpModule } from './schema.js';

export type { ErpModule } from './schema.js';

/** A trading partner: who it is and which formats (mapping files) it may send. */
export interface PartnerConfig {
  readonly id: string;
  readonly name: string;
  readonly formats: readonly string[];
}

/** One configured adapter instance. */
export interface AdapterConfig {
  readonly name: string;
  /** Folder under adapters/ holding the adapter's definition. */
  readonly type: string;
  readonly modules: readonly ErpModule[];
  readonly enabled: boolean;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface RouteConfig {
  readonly documentType: CanonicalType;
  /** JSONata condition over the canonical document; the route applies when it is truthy. */
  readonly when?: string;
  readonly modules: readonly ErpModule[];
}

/** The validated, frozen configuration. Paths are absolute. */
export interface HubConfig {
  readonly rootDir: string;
  readonly configFile: string;
  readonly server: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number };
  /** url undefined: find or start a local Redis (see redis/connect). */
  readonly redis: { readonly url?: string; readonly keyPrefix: string };
  readonly paths: { readonly mappings: string; readonly var: string; readonly adapters: string };
  readonly pipeline: { readonly attempts: number; readonly backoffMs: number; readonly transformConcurrency: number; readonly deliverConcurrency: number };
  readonly partners: Readonly<Record<string, PartnerConfig>>;
  readonly adapters: readonly AdapterConfig[];
  readonly routes: readonly RouteConfig[];
}
