import type { HubConfig } from '../config/types.js';

/** The department roles; a partner's users have the role `partner:<id>`. */
export const STAFF_ROLES = ['ops', 'integrator', 'marketing', 'planning', 'finance'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A console user's role, parsed: a staff role, or a configured partner. */
export type ConsoleRole = { kind: 'staff'; role: StaffRole } | { kind: 'partner'; partnerId: string };

/** The role as stored and shown: `ops`, …, `partner:acme`. */
export function roleName(role: ConsoleRole): string {
  return role.kind === 'staff' ? role.role : `partner:${role.partnerId}`;
}

/**
 * Parses a role against the configuration: a staff role, or `partner:<id>` naming a configured partner.
 * Returns the reason when it is neither, in words for the CLI.
 */
export function parseRole(text: string, config: Pick<HubConfig, 'partners'>): ConsoleRole | { error: string } {
  if ((STAFF_ROLES as readonly string[]).includes(text)) return { kind: 'staff', role: text as StaffRole };
  const partner = /^partner:(.+)$/.exec(text);
  if (partner) {
    const id = partner[1]!;
    if (Object.hasOwn(config.partners, id)) return { kind: 'partner', partnerId: id };
    const known = Object.keys(config.partners);
    return { error: `no partner "${id}" is configured (partners: ${known.join(', ') || 'none'})` };
  }
  return { error: `unknown role "${text}": use one of ${STAFF_ROLES.join(', ')} or partner:<id>` };
}

/** Who may use a page or an action: staff roles by name, and `partner` for every partner's users. */
export type Audience = StaffRole | 'partner';

export function mayUse(role: ConsoleRole, audience: readonly Audience[]): boolean {
  return role.kind === 'partner' ? audience.includes('partner') : audience.includes(role.role);
}
