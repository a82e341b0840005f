import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { HubError } from '../errors/hub-error.js';
import { displayPath, projectRoot } from '../util/project-root.js';
import { CONFIG_SCHEMA, type ErpModule } from './schema.js';
import type { CompanyConfig, HubConfig, PartnerAcknowledgements, PartnerOutboundConfig, PartnerTransportConfig } from './types.js';

/** Where adapter folders live at run time (the compiled adapters/ beside the compiled src/). */
export const ADAPTERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../adapters');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Fingerprints compare as upper-case hex without colons. */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toUpperCase();
}

/** A secret from the environment: the file named by NAME_FILE, else NAME. */
export function readSecretEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return env[name] || undefined;
}

/**
 * Loads config/hub.yaml (or HUB_CONFIG), applies environment overrides, checks it against the schema and
 * returns it frozen. Any problem is HUB_ERR_CONFIG naming the file, the path and the reason.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): HubConfig {
  const env = options.env ?? process.env;
  const rootDir = projectRoot();
  const configFile = path.resolve(rootDir, options.file ?? env.HUB_CONFIG ?? 'config/hub.yaml');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new HubError('HUB_ERR_CONFIG', `${displayPath(configFile)}: cannot read: ${(error as Error).message}`);
  }
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(raw)) {
    const errors = (validate.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
    }));
    throw new HubError('HUB_ERR_CONFIG', `${displayPath(configFile)}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
  const doc = raw as any;

  const port = env.PORT !== undefined ? Number(env.PORT) : doc.server.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HubError('HUB_ERR_CONFIG', `PORT must be an integer 0-65535, got "${env.PORT}"`);
  }
  const host: string = env.HOST ?? doc.server.host;
  const tlsCert = env.HUB_TLS_CERT_FILE ?? doc.server.tls?.certFile;
  const tlsKey = env.HUB_TLS_KEY_FILE ?? doc.server.tls?.keyFile;
  const tlsCa = env.HUB_TLS_CA_FILE ?? doc.server.tls?.caFile;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new HubError('HUB_ERR_CONFIG', 'TLS needs both a certificate and a key (server.tls.certFile/keyFile or HUB_TLS_CERT_FILE/HUB_TLS_KEY_FILE)');
  const tls = tlsCert
    ? {
        certFile: path.resolve(rootDir, tlsCert),
        keyFile: path.resolve(rootDir, tlsKey),
        ...(tlsCa ? { caFile: path.resolve(rootDir, tlsCa) } : {}),
        requireClientCert: env.HUB_TLS_REQUIRE_CLIENT_CERT !== undefined ? env.HUB_TLS_REQUIRE_CLIENT_CERT === 'true' : (doc.server.tls?.requireClientCert ?? false),
      }
    : undefined;
  if (tls?.requireClientCert && !tls.caFile) throw new HubError('HUB_ERR_CONFIG', 'server.tls.requireClientCert needs server.tls.caFile (the CA that signs partner certificates)');
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!tls && !loopback && !doc.server.allowPlainHttp) {
    throw new HubError('HUB_ERR_CONFIG', `plain HTTP on ${host} is refused: configure server.tls (or HUB_TLS_CERT_FILE/HUB_TLS_KEY_FILE), or, behind a TLS-terminating proxy, set server.allowPlainHttp: true`);
  }
  const partners = Object.entries(
    doc.partners as Record<string, { name?: string; formats: string[]; partyIds: string[]; certificateFingerprints?: string[]; signature: 'required' | 'optional'; duplicateNumbers: 'refuse' | 'revision'; acknowledgements: PartnerAcknowledgements; transport?: PartnerTransportConfig; outbound?: PartnerOutboundConfig; x12?: { strictIsa?: boolean } }>,
  );
  for (const [i, rule] of (doc.retention.overrides as Array<{ partner?: string }>).entries()) {
    if (rule.partner && !(rule.partner in doc.partners)) throw new HubError('HUB_ERR_CONFIG', `${displayPath(configFile)}: /retention/overrides/${i}/partner "${rule.partner}" is not a configured partner`);
  }
  const scrapeToken = doc.metrics.scrapeTokenEnv ? readSecretEnv(env, doc.metrics.scrapeTokenEnv) : undefined;
  if (doc.metrics.scrapeTokenEnv && (!scrapeToken || scrapeToken.length < 32)) {
    throw new HubError('HUB_ERR_CONFIG', `metrics.scrapeTokenEnv names ${doc.metrics.scrapeTokenEnv}: set it (or ${doc.metrics.scrapeTokenEnv}_FILE) to a token of at least 32 characters, e.g. from: openssl rand -hex 32`);
  }
  if (doc.metrics.port !== undefined && !scrapeToken) throw new HubError('HUB_ERR_CONFIG', 'metrics.port serves /metrics with the scrape token only: set metrics.scrapeTokenEnv too');
  const metricsLoopback = ['127.0.0.1', '::1', 'localhost'].includes(doc.metrics.host);
  if (doc.metrics.port !== undefined && !tls && !metricsLoopback && !doc.server.allowPlainHttp) {
    throw new HubError('HUB_ERR_CONFIG', `metrics.host ${doc.metrics.host}: plain HTTP off loopback is refused, as for the API: configure server.tls (the listener uses it too) or set server.allowPlainHttp: true behind a proxy`);
  }
  const schema = env.HUB_DB_SCHEMA ?? doc.database.schema;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new HubError('HUB_ERR_CONFIG', `HUB_DB_SCHEMA "${schema}" must be a lower-case identifier (letters, digits, _)`);
  const config: HubConfig = {
    rootDir,
    configFile,
    server: {
      host,
      port,
      bodyLimitBytes: doc.server.bodyLimitBytes,
      ...(tls ? { tls } : {}),
      allowPlainHttp: doc.server.allowPlainHttp,
      trustProxy: doc.server.trustProxy,
      ...(doc.server.clientCertFingerprintHeader ? { clientCertFingerprintHeader: doc.server.clientCertFingerprintHeader } : {}),
      shutdownGraceSeconds: doc.server.shutdownGraceSeconds,
    },
    limits: { ...doc.limits },
    rateLimits: { ...doc.rateLimits },
    security: { ...doc.security },
    metrics: { ...doc.metrics, ...(scrapeToken ? { scrapeToken } : {}) },
    console: { ...doc.console, signInFailures: { ...doc.console.signInFailures } },
    chains: { tolerance: { ...doc.chains.tolerance } },
    redis: { url: readSecretEnv(env, 'REDIS_URL') ?? doc.redis.url, keyPrefix: env.HUB_KEY_PREFIX ?? doc.redis.keyPrefix },
    database: { ...doc.database, url: readSecretEnv(env, 'DATABASE_URL') ?? doc.database.url, schema },
    retention: { ...doc.retention },
    paths: {
      mappings: path.resolve(rootDir, doc.paths.mappings),
      var: path.resolve(rootDir, env.HUB_VAR_DIR ?? doc.paths.var),
      adapters: ADAPTERS_DIR,
    },
    pipeline: { ...doc.pipeline },
    partners: Object.fromEntries(
      partners.map(([id, p]) => [
        id,
        {
          id,
          name: p.name ?? id,
          formats: p.formats,
          partyIds: p.partyIds,
          certificateFingerprints: (p.certificateFingerprints ?? []).map(normaliseFingerprint),
          signature: p.signature,
          duplicateNumbers: p.duplicateNumbers,
          acknowledgements: { ...p.acknowledgements },
          ...(p.transport ? { transport: { ...p.transport } } : {}),
          ...(p.outbound ? { outbound: structuredClone(p.outbound) } : {}),
          ...(p.x12 ? { x12: { strictIsa: p.x12.strictIsa === true } } : {}),
        },
      ]),
    ),
    adapters: Object.entries(doc.adapters as Record<string, { type?: string; module?: string; modules: ErpModule[]; enabled: boolean; options: Record<string, unknown> }>).map(
      ([name, a]) => {
        if ((a.type === undefined) === (a.module === undefined)) {
          throw new HubError('HUB_ERR_CONFIG', `${displayPath(configFile)}: /adapters/${name} set exactly one of type (a folder under adapters/) and module (a path starting with ./ or an npm package name)`);
        }
        const source = a.type === undefined ? { module: a.module } : { type: a.type };
        return { name, ...source, modules: a.modules, enabled: a.enabled, options: a.options };
      },
    ),
    routes: doc.routes,
    ...(doc.company ? { company: structuredClone(doc.company) as CompanyConfig } : {}),
  };
  return deepFreeze(config);
}
