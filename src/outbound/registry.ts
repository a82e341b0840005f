import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalType } from '../canonical/types.js';
import type { HubConfig, PartnerConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';
import { cachedTableLoader } from '../mapping/mapping-file.js';
import type { XsdCache } from '../xml/xsd-cache.js';
import { loadOutboundMapping, type OutboundMapping } from './mapping-file.js';

/**
 * The outbound mappings (mappings/outbound/*.yaml), loaded and checked at start with their XSDs and DTDs
 * compiled, and each partner's outbound formats checked against them: a partner naming a mapping that does not
 * exist, or one of another document type, stops the start with the setting named.
 */
export class OutboundRegistry {
  private constructor(private readonly mappings: ReadonlyMap<string, OutboundMapping>) {}

  static load(config: Pick<HubConfig, 'paths' | 'partners'>, xsd: XsdCache): OutboundRegistry {
    const dir = path.join(config.paths.mappings, 'outbound');
    const tables = cachedTableLoader();
    const mappings = new Map<string, OutboundMapping>();
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
        const mapping = loadOutboundMapping(path.join(dir, name), tables);
        mappings.set(mapping.name, mapping);
      }
    }
    xsd.compile([...mappings.values()].map((m) => m.schemaPath ?? ''));
    for (const partner of Object.values(config.partners)) {
      for (const [type, name] of Object.entries(partner.outbound?.formats ?? {})) {
        const mapping = mappings.get(name);
        if (!mapping) throw new HubError('HUB_ERR_CONFIG', `partners.${partner.id}.outbound.formats.${type}: no outbound mapping ${name} (mappings/outbound/${name}.yaml); known: ${[...mappings.keys()].join(', ') || 'none'}`);
        if (mapping.documentType !== type) throw new HubError('HUB_ERR_CONFIG', `partners.${partner.id}.outbound.formats.${type}: ${name} builds ${mapping.documentType} documents, not ${type}`);
        if (mapping.syntax !== 'xml' && !partner.outbound?.[mapping.syntax]) throw new HubError('HUB_ERR_CONFIG', `partners.${partner.id}.outbound.${mapping.syntax} (the partner's interchange ids) is needed for ${name}`);
      }
    }
    return new OutboundRegistry(mappings);
  }

  get(name: string): OutboundMapping | undefined {
    return this.mappings.get(name);
  }

  names(): string[] {
    return [...this.mappings.keys()];
  }

  /** The mapping that builds this type of document for this partner, or undefined when it is not sent that type. */
  forPartner(partner: PartnerConfig, type: CanonicalType): OutboundMapping | undefined {
    const name = partner.outbound?.formats[type];
    return name ? this.mappings.get(name) : undefined;
  }
}
