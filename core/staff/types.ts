// Staff accounts and their roles.

import { STAFF_ROLES, type StaffRole } from '../config/staff-schema.ts';

export { STAFF_ROLES, type StaffRole };

export const ROLE_LABELS: Record<StaffRole, string> = {
  operator: 'Operator',
  'council-admin': 'Council admin',
  'service-editor': 'Service editor',
  caseworker: 'Caseworker',
  auditor: 'Auditor',
};

export interface StaffUser {
  id: string;
  /** Lower-cased. */
  email: string;
  name: string | null;
  role: StaffRole;
  /** The council whose records the person sees; null: every council (operators, hub-wide auditors). */
  council: string | null;
  /** A caseworker's services; null: every service of the council. */
  services: string[] | null;
  /** Set for people who sign in through their council's identity provider. */
  oidc: { issuer: string; subject: string } | null;
  disabledAt: Date | null;
  createdAt: Date;
  lastSignInAt: Date | null;
  hasPassword: boolean;
  hasSecondFactor: boolean;
}

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/** How the person appears in the audit log and timelines: "staff:<id>". */
export function staffActor(user: Pick<StaffUser, 'id'>): string {
  return `staff:${user.id}`;
}

/** The name shown for the person: their name, else their e-mail address. */
export function staffDisplayName(user: Pick<StaffUser, 'name' | 'email'>): string {
  return user.name?.trim() || user.email;
}
