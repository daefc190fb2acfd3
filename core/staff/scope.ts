// What a staff member may see: the same council scoping as API keys (core/auth/api-keys.ts). A record of another council
// is not found (404), never forbidden, so its existence is not disclosed.
import type { Config } from '../config/index.ts';
import type { StaffRole, StaffUser } from './types.ts';

type Scoped = Pick<StaffUser, 'role' | 'council' | 'services'>;

/** Whether the person's council covers a council's records (null council: every council). */
export function staffInCouncil(user: Scoped, council: string): boolean {
  return user.council === null || user.council === council;
}

/** Whether the person may see a service's cases: its council's, and for a caseworker given services, one of them. */
export function staffMaySeeService(user: Scoped, serviceId: string, serviceCouncil: string): boolean {
  if (!staffInCouncil(user, serviceCouncil)) return false;
  if (user.role === 'caseworker' && user.services !== null) return user.services.includes(serviceId);
  return true;
}

/**
 * Whether the person may watch a binding (its queue, its dead deliveries). A council's binding is its council's; a
 * binding naming no council is shared, the hub operator's to watch (as GET /api/v1/admin/alerts decides for council keys).
 */
export function staffMaySeeBinding(user: Scoped, bindingCouncil: string | undefined): boolean {
  if (user.council === null) return user.role !== 'caseworker';
  return user.role !== 'caseworker' && bindingCouncil === user.council;
}

/** The bindings the person may watch, among those configured. */
export function visibleBindings(user: Scoped, config: Pick<Config, 'bindings'>): string[] {
  return Object.entries(config.bindings)
    .filter(([, b]) => staffMaySeeBinding(user, b.council))
    .map(([name]) => name);
}

/** Whether the role is one of `roles` (none given: any). */
export function hasRole(user: { role: StaffRole }, roles: readonly StaffRole[]): boolean {
  return roles.length === 0 || roles.includes(user.role);
}
