import { CANONICAL_TYPES } from '../canonical/types.js';
import { DEFAULT_XML_LIMITS } from '../xml/limits.js';

/** JSON Schema of config/hub.yaml, checked once at start (unknown keys are errors). */
export const ERP_MODULES = ['sales', 'procurement', 'inventory', 'finance'] as const;
export type ErpModule = (typeof ERP_MODULES)[number];

const moduleList = { type: 'array', items: { enum: ERP_MODULES }, minItems: 1, uniqueItems: true } as const;
const id = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;

export const CONFIG_SCHEMA = {
  $defs: {
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['limit', 'windowSeconds'],
      properties: { limit: { type: 'integer', minimum: 1 }, windowSeconds: { type: 'integer', minimum: 1, maximum: 86400 } },
    },
  },
  type: 'object',
  additionalProperties: false,
  required: ['partners', 'adapters', 'routes'],
  properties: {
    /**
     * Our own company as the documents we send name it: its name, its ids (GLN with scheme 0088 ...) and address,
     * and its X12 and EDIFACT interchange ids. `$company` in outbound mappings.
     */
    company: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'partyIds'],
      properties: {
        name: { type: 'string', minLength: 1 },
        partyIds: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1 }, scheme: { type: 'string', minLength: 1 } } } },
        address: {
          type: 'object',
          additionalProperties: false,
          properties: { street: { type: 'string' }, city: { type: 'string' }, postalCode: { type: 'string' }, region: { type: 'string' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } },
        },
        x12: { type: 'object', additionalProperties: false, required: ['qualifier', 'id'], properties: { qualifier: { type: 'string', pattern: '^[A-Z0-9]{2}$' }, id: { type: 'string', minLength: 1, maxLength: 15 } } },
        edifact: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 35 }, qualifier: { type: 'string', maxLength: 4 } } },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 5242880 },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: {
            certFile: { type: 'string' },
            keyFile: { type: 'string' },
            /** CA bundle that signs partner client certificates (mTLS). */
            caFile: { type: 'string' },
            /** Refuse the TLS handshake without a client certificate signed by caFile. */
            requireClientCert: { type: 'boolean', default: false },
          },
        },
        /** Serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy). */
        allowPlainHttp: { type: 'boolean', default: false },
        /** Trust X-Forwarded-* from this many proxies (or these addresses): the client address for rate limits. */
        trustProxy: { oneOf: [{ type: 'boolean' }, { type: 'integer', minimum: 0 }, { type: 'string' }], default: false },
        /** Behind a proxy that terminates mTLS: the header carrying the client certificate's SHA-256 fingerprint. */
        clientCertFingerprintHeader: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
        /** On SIGTERM: how long requests and jobs in flight may take to finish before they are cut off. */
        shutdownGraceSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 20 },
      },
      default: {},
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxDepth: { type: 'integer', minimum: 4, default: DEFAULT_XML_LIMITS.maxDepth },
        maxElements: { type: 'integer', minimum: 10, default: DEFAULT_XML_LIMITS.maxElements },
        maxAttributes: { type: 'integer', minimum: 1, default: DEFAULT_XML_LIMITS.maxAttributes },
        maxTextLength: { type: 'integer', minimum: 64, default: DEFAULT_XML_LIMITS.maxTextLength },
      },
      default: {},
    },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perPartner: { $ref: '#/$defs/rateLimit', default: { limit: 600, windowSeconds: 60 } },
        perAddress: { $ref: '#/$defs/rateLimit', default: { limit: 1200, windowSeconds: 60 } },
      },
      default: {},
    },
    security: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** How far a signed request's timestamp may be from the hub's clock, and how long signatures are remembered. */
        signatureWindowSeconds: { type: 'integer', minimum: 10, maximum: 3600, default: 300 },
      },
      default: {},
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** The environment variable holding a token that may scrape /metrics besides the ops key (NAME or NAME_FILE). */
        scrapeTokenEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
        /** In a process without the HTTP API (hub worker): serve /metrics on this port (scrape token only). Unset: no listener. */
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        /** The address of that listener. */
        host: { type: 'string', default: '127.0.0.1' },
      },
      default: {},
    },
    console: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Minutes a console session lasts from sign-in, however busy. */
        sessionMinutes: { type: 'integer', minimum: 5, maximum: 10080, default: 480 },
        /** Minutes without a request after which a console session ends. */
        idleMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 60 },
        /** Failed console sign-ins allowed per user name and per client address in a window (then refused until it ends). */
        signInFailures: {
          type: 'object',
          additionalProperties: false,
          properties: {
            perUser: { $ref: '#/$defs/rateLimit', default: { limit: 5, windowSeconds: 900 } },
            perAddress: { $ref: '#/$defs/rateLimit', default: { limit: 20, windowSeconds: 900 } },
          },
          default: {},
        },
      },
      default: {},
    },
    /** Order chains (src/store/chains.ts, docs/outbound.md "Three-way match"). */
    chains: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** How far a purchase's invoice may stray from what was ordered and received before the match flags it (0: exact). */
        tolerance: {
          type: 'object',
          additionalProperties: false,
          properties: {
            quantityPercent: { type: 'number', minimum: 0, maximum: 100, default: 0 },
            pricePercent: { type: 'number', minimum: 0, maximum: 100, default: 0 },
            /** Per unit, in the order's currency: a price within this much passes whatever the percent. */
            priceAbsolute: { type: 'number', minimum: 0 },
          },
          default: {},
        },
      },
      default: {},
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string' },
        keyPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', default: 'hub' },
      },
      default: {},
    },
    database: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Unset (and no DATABASE_URL): a private PostgreSQL under var/pg, started from the machine's binaries. */
        url: { type: 'string' },
        /** The schema holding the hub's tables; several hubs (or test runs) can share one database. */
        schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$', default: 'hub' },
        poolSize: { type: 'integer', minimum: 2, maximum: 200, default: 10 },
        statementTimeoutMs: { type: 'integer', minimum: 100, default: 60000 },
        connectTimeoutMs: { type: 'integer', minimum: 100, default: 5000 },
        /** More requests than this waiting for a connection: new posts are answered 503 HUB_ERR_OVERLOADED at once. */
        maxWaiting: { type: 'integer', minimum: 1, maximum: 100000, default: 50 },
      },
      default: {},
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Days the bytes as posted are kept (the record stays until recordDays). */
        rawDays: { type: 'integer', minimum: 1, default: 90 },
        /** Days a message record (history, canonical, keys, links, deliveries, outbox rows) and audit entries are kept. */
        recordDays: { type: 'integer', minimum: 1, default: 400 },
        /** Days a refusal (with its bytes) is kept. */
        refusalDays: { type: 'integer', minimum: 1, default: 90 },
        /** How often the retention job runs, in minutes. 0: never on its own (hub db retention runs it). */
        intervalMinutes: { type: 'integer', minimum: 0, default: 60 },
        /** Rows removed per statement: small batches keep locks short, so the intake does not wait. */
        batchSize: { type: 'integer', minimum: 100, maximum: 100000, default: 5000 },
        /** Other periods for a partner and/or document type; the most specific rule wins. */
        overrides: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              partner: id,
              documentType: { enum: [...CANONICAL_TYPES] },
              rawDays: { type: 'integer', minimum: 1 },
              recordDays: { type: 'integer', minimum: 1 },
              refusalDays: { type: 'integer', minimum: 1 },
            },
            anyOf: [{ required: ['partner'] }, { required: ['documentType'] }],
          },
        },
      },
      default: {},
    },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mappings: { type: 'string', default: 'mappings' },
        var: { type: 'string', default: 'var' },
      },
      default: {},
    },
    pipeline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
        backoffMs: { type: 'integer', minimum: 1, default: 1000 },
        transformConcurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
        deliverConcurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
        /**
         * Seconds a worker's lock on a job lasts; the worker renews it every half of that while the job runs, so a
         * long delivery is not taken for a stalled one. A job whose worker died is handed out again after it.
         */
        lockSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
        /** Seconds a message may sit accepted-but-not-transformed, or a delivery pending, before the sweeper queues it again. */
        sweepAfterSeconds: { type: 'integer', minimum: 1, default: 60 },
        /** The most messages a second that bulk replays (POST /v1/ops/replays) replay, all runs of the hub together. */
        bulkReplayPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10000, default: 10 },
        /** The most messages one bulk replay run may take (a larger selection must be narrowed). */
        bulkReplayMaxMessages: { type: 'integer', minimum: 1, maximum: 10000000, default: 100000 },
        /** How often each worker process runs the sweeper (0: never; one sweep at a time across processes). */
        sweepIntervalSeconds: { type: 'integer', minimum: 0, maximum: 3600, default: 30 },
      },
      default: {},
    },
    partners: {
      type: 'object',
      minProperties: 1,
      propertyNames: id,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['formats', 'partyIds'],
        properties: {
          name: { type: 'string' },
          formats: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
          /** The identifiers (GLN, endpoint id, VAT id ...) by which this partner appears as sender in its documents. */
          partyIds: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
          /** SHA-256 fingerprints of the client certificates this partner may use; when set, one is required. */
          certificateFingerprints: { type: 'array', items: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$' }, uniqueItems: true },
          /** required: every post must carry a valid X-Hub-Signature; optional: checked when present. */
          signature: { enum: ['required', 'optional'], default: 'optional' },
          /**
           * The same number (same type, same sending party) with other content: refuse (409, the default) or
           * accept it as the next revision, linked to the first.
           */
          duplicateNumbers: { enum: ['refuse', 'revision'], default: 'refuse' },
          /**
           * The acknowledgements the hub sends this partner for its EDI interchanges: X12 997 (or 999 for
           * 005010X231 partners, or none), EDIFACT CONTRL (or none), and X12 TA1 when the interchange asks for one
           * (ISA14 = 1), always, or never.
           */
          acknowledgements: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: {
              x12: { enum: ['997', '999', 'none'], default: '997' },
              edifact: { enum: ['contrl', 'none'], default: 'contrl' },
              ta1: { enum: ['when-requested', 'always', 'never'], default: 'when-requested' },
            },
          },
          /**
           * How the partner's X12 interchanges are read. strictIsa: an ISA off its fixed length (fields short or
           * over-padded, a line break between elements) is refused (TA1 R) instead of read with warnings (TA1 E).
           */
          x12: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: { strictIsa: { type: 'boolean', default: false } },
          },
          /**
           * How the documents the hub builds for this partner reach it: `type` names a folder under transports/
           * (https, mailbox); the other keys are that transport's options, checked against its own schema at start.
           */
          transport: { type: 'object', required: ['type'], properties: { type: id } },
          /**
           * What the hub sends this partner (docs/outbound.md): per canonical type, the outbound mapping
           * (mappings/outbound/<name>.yaml) that builds it; which acknowledgement the partner gives and by when;
           * the envelope ids for X12 and EDIFACT.
           */
          outbound: {
            type: 'object',
            additionalProperties: false,
            required: ['formats'],
            properties: {
              formats: { type: 'object', minProperties: 1, propertyNames: { enum: [...CANONICAL_TYPES] }, additionalProperties: { type: 'string', minLength: 1 } },
              acknowledgement: {
                type: 'object',
                additionalProperties: false,
                default: {},
                properties: {
                  /** 997/999 or CONTRL (matched when the partner posts it), cxml (its Response in the HTTP answer), http (a 2xx is enough). */
                  expect: { enum: ['997', '999', 'contrl', 'cxml', 'http'], default: 'http' },
                  /** How long after sending an expected acknowledgement may take before the document is overdue. */
                  withinHours: { type: 'number', exclusiveMinimum: 0, maximum: 720, default: 24 },
                },
              },
              x12: {
                type: 'object',
                additionalProperties: false,
                required: ['receiverId'],
                properties: {
                  receiverQualifier: { type: 'string', pattern: '^[A-Z0-9]{2}$', default: 'ZZ' },
                  receiverId: { type: 'string', minLength: 1, maxLength: 15 },
                  /** Our ISA06/GS02 for this partner; default company.x12. */
                  senderQualifier: { type: 'string', pattern: '^[A-Z0-9]{2}$' },
                  senderId: { type: 'string', minLength: 1, maxLength: 15 },
                  /** GS03 when it differs from the ISA08. */
                  groupReceiverId: { type: 'string', minLength: 2, maxLength: 15 },
                  usage: { enum: ['P', 'T'], default: 'P' },
                  /** ISA14: ask the partner for a TA1. */
                  ta1Requested: { type: 'boolean', default: false },
                },
              },
              edifact: {
                type: 'object',
                additionalProperties: false,
                required: ['receiverId'],
                properties: {
                  receiverId: { type: 'string', minLength: 1, maxLength: 35 },
                  /** 0007: 14 (GLN), ZZZ (mutually defined) ... */
                  receiverQualifier: { type: 'string', maxLength: 4 },
                  senderId: { type: 'string', minLength: 1, maxLength: 35 },
                  senderQualifier: { type: 'string', maxLength: 4 },
                  syntax: { enum: ['UNOA', 'UNOB', 'UNOC'], default: 'UNOC' },
                  test: { type: 'boolean', default: false },
                },
              },
            },
          },
        },
      },
    },
    adapters: {
      type: 'object',
      minProperties: 1,
      propertyNames: id,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['modules'],
        properties: {
          /** A folder under adapters/ (outbox, file, webhook, tryton); exactly one of type and module. */
          type: id,
          /** Your own adapter: a path from the project root (./…, built .js file or folder) or an npm package name. */
          module: { type: 'string', minLength: 1 },
          modules: moduleList,
          enabled: { type: 'boolean', default: true },
          options: { type: 'object', default: {} },
        },
      },
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['documentType', 'modules'],
        properties: {
          documentType: { enum: [...CANONICAL_TYPES] },
          when: { type: 'string' },
          modules: moduleList,
        },
      },
    },
  },
} as const;
