// From a verified ID token's claims to a staff identity: the person's name and e-mail from the configured claims, and
// their role from the roles claim through the council's role mapping. Pure: everything it needs comes in as arguments.
import type { RoleMapping, StaffOidcConfig, StaffRole } from '../config/index.ts';

/** Someone an identity provider vouched for, with the role its claims give them here. */
export interface StaffOidcIdentity {
  /** The provider's issuer and its subject id for the person: together, who they are (e-mail addresses change). */
  issuer: string;
  subject: string;
  /** Lower-cased. */
  email: string;
  name: string;
  role: StaffRole;
  /** The council they act for; null: every council (an operator). */
  council: string | null;
  /** A caseworker's services; null: every service of the council. */
  services: string[] | null;
}

export type ClaimsOutcome = { ok: true; identity: StaffOidcIdentity } | { ok: false; reason: 'no-email' | 'no-role' | 'groups-overage'; detail: string };

export interface RoleGrant {
  role: StaffRole;
  council: string | null;
  services: string[] | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The identity in `claims` (already verified by openid-client) for council `councilId`, or why there is none. */
export function identityFromClaims(claims: Record<string, unknown>, settings: StaffOidcConfig, councilId: string): ClaimsOutcome {
  const issuer = String(claims.iss);
  const subject = String(claims.sub);
  const emailValue = [claims[settings.emailClaim], claims.preferred_username].find((v) => typeof v === 'string' && EMAIL.test(v.trim()));
  if (typeof emailValue !== 'string')
    return { ok: false, reason: 'no-email', detail: `the ID token has no e-mail address in ${settings.emailClaim} or preferred_username` };
  const email = emailValue.trim().toLowerCase();
  const nameValue = claims[settings.nameClaim];
  const name = typeof nameValue === 'string' && nameValue.trim() ? nameValue.trim() : email;
  const values = claimValues(claims, settings.rolesClaim);
  if (!values.length && hasOverage(claims, settings.rolesClaim))
    return {
      ok: false,
      reason: 'groups-overage',
      detail: `the provider left ${settings.rolesClaim} out of the ID token (too many groups): send app roles or only the groups assigned to the application`,
    };
  const grant = grantFor(settings.roleMapping, values, councilId);
  if (!grant) return { ok: false, reason: 'no-role', detail: `no roleMapping entry matches ${settings.rolesClaim} (${values.length} values)` };
  return { ok: true, identity: { issuer, subject, email, name, ...grant } };
}

/**
 * The role the values give: the first mapping entry that matches decides it. A caseworker's services are those of every
 * matching caseworker entry (null, every service, when one of them names none). An operator acts for every council.
 */
export function grantFor(mapping: readonly RoleMapping[], values: readonly string[], councilId: string): RoleGrant | null {
  const have = new Set(values);
  const matching = mapping.filter((m) => have.has(m.value));
  const first = matching[0];
  if (!first) return null;
  if (first.role === 'operator') return { role: 'operator', council: null, services: null };
  if (first.role !== 'caseworker') return { role: first.role, council: councilId, services: null };
  const caseworker = matching.filter((m) => m.role === 'caseworker');
  const services = caseworker.some((m) => !m.services) ? null : [...new Set(caseworker.flatMap((m) => m.services!))].sort();
  return { role: 'caseworker', council: councilId, services };
}

/** The strings at a claim name (or a dotted path into objects, e.g. realm_access.roles), a lone string counting as one. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let node: unknown = Object.hasOwn(claims, path) ? claims[path] : undefined;
  if (node === undefined) {
    node = claims;
    for (const key of path.split('.')) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Entra ID's "groups overage": too many groups, so the token names a distributed claim instead of listing them. */
function hasOverage(claims: Record<string, unknown>, path: string): boolean {
  const names = claims._claim_names;
  return !!names && typeof names === 'object' && Object.hasOwn(names, path);
}
