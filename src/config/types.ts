import type { CanonicalType } from '../canonical/types.js';
import type { XmlLimits } from '../xml/limits.js';
import type { ErpModule } from './schema.js';

export type { ErpModule } from './schema.js';

/** A trading partner: who it is and which formats (mapping files) it may send. */
export interface PartnerConfig {
  readonly id: string;
  readonly name: string;
  readonly formats: readonly string[];
  /** Identifiers by which the partner appears as sender in its documents (sender binding). */
  readonly partyIds: readonly string[];
  /** Normalised (upper-case hex, no colons) SHA-256 fingerprints of its client certificates; empty: none bound. */
  readonly certificateFingerprints: readonly string[];
  readonly signature: 'required' | 'optional';
  readonly duplicateNumbers: 'refuse' | 'revision';
  /** Which acknowledgements the hub sends for this partner's EDI interchanges. */
  readonly acknowledgements: PartnerAcknowledgements;
  /** How the partner's X12 interchanges are read (partners.<id>.x12); unset: as the defaults say. */
  readonly x12?: PartnerX12Reading;
  /** How outbound documents reach the partner; unset: none are sent to it. */
  readonly transport?: PartnerTransportConfig;
  /** What the hub sends this partner, in which formats, and which acknowledgement it expects (docs/outbound.md). */
  readonly outbound?: PartnerOutboundConfig;
}

/** partners.<id>.x12. */
export interface PartnerX12Reading {
  /** Refuse an ISA off its fixed length (TA1 R) instead of reading it with warnings (TA1 E); default false. */
  readonly strictIsa: boolean;
}

/** partners.<id>.outbound. */
export interface PartnerOutboundConfig {
  /** Canonical type -> outbound mapping name (mappings/outbound/<name>.yaml). */
  readonly formats: Readonly<Partial<Record<CanonicalType, string>>>;
  readonly acknowledgement: { readonly expect: '997' | '999' | 'contrl' | 'cxml' | 'http'; readonly withinHours: number };
  readonly x12?: { readonly receiverQualifier: string; readonly receiverId: string; readonly senderQualifier?: string; readonly senderId?: string; readonly groupReceiverId?: string; readonly usage: 'P' | 'T'; readonly ta1Requested: boolean };
  readonly edifact?: { readonly receiverId: string; readonly receiverQualifier?: string; readonly senderId?: string; readonly senderQualifier?: string; readonly syntax: 'UNOA' | 'UNOB' | 'UNOC'; readonly test: boolean };
}

/** config `company`: our own name and ids as the documents we send name them. */
export interface CompanyConfig {
  readonly name: string;
  readonly partyIds: ReadonlyArray<{ readonly id: string; readonly scheme?: string }>;
  readonly address?: { readonly street?: string; readonly city?: string; readonly postalCode?: string; readonly region?: string; readonly country?: string };
  readonly x12?: { readonly qualifier: string; readonly id: string };
  readonly edifact?: { readonly id: string; readonly qualifier?: string };
}

/** partners.<id>.transport as in the config: the type (a folder under transports/) and its options beside it. */
export interface PartnerTransportConfig {
  readonly type: string;
  readonly [option: string]: unknown;
}

export interface PartnerAcknowledgements {
  readonly x12: '997' | '999' | 'none';
  readonly edifact: 'contrl' | 'none';
  readonly ta1: 'when-requested' | 'always' | 'never';
}

export interface RetentionRule {
  readonly partner?: string;
  readonly documentType?: CanonicalType;
  readonly rawDays?: number;
  readonly recordDays?: number;
  readonly refusalDays?: number;
}

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
  readonly requireClientCert: boolean;
}

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One configured adapter instance. */
export interface AdapterConfig {
  readonly name: string;
  /** Folder under adapters/ holding the adapter's definition (exactly one of type and module is set). */
  readonly type?: string;
  /** A path from the project root (./…) or an npm package name whose default export is the definition. */
  readonly module?: string;
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
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly tls?: TlsConfig;
    readonly allowPlainHttp: boolean;
    readonly trustProxy: boolean | number | string;
    readonly clientCertFingerprintHeader?: string;
    readonly shutdownGraceSeconds: number;
  };
  readonly limits: XmlLimits;
  readonly rateLimits: { readonly perPartner: RateLimit; readonly perAddress: RateLimit };
  readonly security: { readonly signatureWindowSeconds: number };
  /** Prometheus metrics (src/metrics.ts): who may scrape, and the worker processes' own listener. */
  readonly metrics: {
    /** The name of the environment variable the scrape token was read from. */
    readonly scrapeTokenEnv?: string;
    /** A secret besides the ops key that may GET /metrics (compared in constant time); unset: the ops key only. */
    readonly scrapeToken?: string;
    /** The port of the /metrics listener of a process without the HTTP API; unset: none. */
    readonly port?: number;
    readonly host: string;
  };
  /** The console at /console (src/console/): session lifetimes and the limit of failed sign-ins. */
  readonly console: {
    readonly sessionMinutes: number;
    readonly idleMinutes: number;
    readonly signInFailures: { readonly perUser: RateLimit; readonly perAddress: RateLimit };
  };
  /** Order chains: the tolerance of a purchase's three-way match (src/store/three-way-match.ts); 0 is exact. */
  readonly chains: {
    readonly tolerance: { readonly quantityPercent: number; readonly pricePercent: number; readonly priceAbsolute?: number };
  };
  /** url undefined: find or start a local Redis (see redis/connect). */
  readonly redis: { readonly url?: string; readonly keyPrefix: string };
  /** url undefined: a private PostgreSQL under var/pg (see db/embedded). */
  readonly database: { readonly url?: string; readonly schema: string; readonly poolSize: number; readonly statementTimeoutMs: number; readonly connectTimeoutMs: number; readonly maxWaiting: number };
  readonly retention: {
    readonly rawDays: number;
    readonly recordDays: number;
    readonly refusalDays: number;
    readonly intervalMinutes: number;
    readonly batchSize: number;
    readonly overrides: readonly RetentionRule[];
  };
  readonly paths: { readonly mappings: string; readonly var: string; readonly adapters: string };
  readonly pipeline: {
    readonly attempts: number;
    readonly backoffMs: number;
    readonly transformConcurrency: number;
    readonly deliverConcurrency: number;
    readonly sweepAfterSeconds: number;
    /** Messages a second all bulk replays together replay. */
    readonly bulkReplayPerSecond: number;
    /** The most messages one bulk replay run may take. */
    readonly bulkReplayMaxMessages: number;
    readonly sweepIntervalSeconds: number;
    readonly lockSeconds: number;
  };
  readonly partners: Readonly<Record<string, PartnerConfig>>;
  readonly adapters: readonly AdapterConfig[];
  readonly routes: readonly RouteConfig[];
  /** Our own company as outbound documents name it (config `company`); unset: outbound mappings that need it fail. */
  readonly company?: CompanyConfig;
}
