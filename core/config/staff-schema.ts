// A council's staff sign-in settings (`council.staff` and `councils.<id>.staff` in closeloop.yaml): its OpenID Connect
// identity provider (Microsoft Entra ID, Google Workspace, Keycloak…) and which of the provider's claim values give which
// role in the staff console. Which claims name the person and carry the roles is configuration, not code: IdPs differ.
import { z } from 'zod';

export const STAFF_ROLES = ['operator', 'council-admin', 'service-editor', 'caseworker', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http only to this machine (a test or development IdP). */
const issuerUrl = z
  .url()
  .refine(
    (u) => {
      const url = new URL(u);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
    },
    { message: 'must be an https:// URL (http:// only for localhost or 127.0.0.1)' },
  )
  .refine((u) => !new URL(u).search && !new URL(u).hash, { message: 'must have no query or fragment' });

const envSecret = z
  .strictObject(
    {
      env: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*$/, 'environment variable names are UPPER_SNAKE_CASE')
        .describe('The environment variable holding the secret'),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'a secret is never written here: give the variable that holds it, { env: NAME }' : undefined) },
  )
  .describe('A secret, never written here: the environment variable that holds it');

const claimName = z.string().min(1).max(200);

export const roleMappingSchema = z
  .strictObject({
    value: z.string().min(1).describe("A value of the roles claim (a group's or app role's name, or Entra ID's group object id) that gives this role"),
    role: z
      .enum(STAFF_ROLES)
      .describe(
        "The role it gives: operator (every council; only from the hub's own council's provider), council-admin, service-editor, caseworker or auditor (this council)",
      ),
    services: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('For a caseworker: the services whose cases they work on (absent: every service of this council)'),
  })
  .refine((m) => !m.services || m.role === 'caseworker', { message: 'services are given only to a caseworker', path: ['services'] });

export const staffOidcSchema = z
  .strictObject({
    issuer: issuerUrl.describe(
      "The identity provider's issuer URL, as its /.well-known/openid-configuration says (Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0)",
    ),
    clientId: z.string().min(1).describe("The hub's client (application) id at the provider"),
    clientSecret: envSecret.optional().describe('The client secret (from the environment); absent: a public client, which proves itself with PKCE alone'),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is one word'))
      .default(['openid', 'email', 'profile'])
      .refine((s) => s.includes('openid'), { message: 'must include openid' })
      .describe('Scopes asked for'),
    nameClaim: claimName.default('name').describe("The ID token claim holding the person's name"),
    emailClaim: claimName
      .default('email')
      .describe("The ID token claim holding the person's e-mail address; when it is missing, preferred_username is used (Entra ID may omit email)"),
    rolesClaim: claimName
      .default('groups')
      .describe('The ID token claim carrying groups or roles (a string or a list); a dotted path reaches inside objects (Keycloak: realm_access.roles)'),
    roleMapping: z
      .array(roleMappingSchema)
      .min(1)
      .describe(
        "Which roles claim values give which role. The first entry that matches decides the role; a caseworker's services are those of every matching caseworker entry. Nobody else may sign in",
      ),
  })
  .describe(
    "Sign-in with this council's OpenID Connect provider (authorisation code flow with PKCE). The redirect URI to register there is {publicBaseUrl}/staff/sign-in/<council id>/oidc/callback",
  );

export const staffSchema = z
  .strictObject({
    oidc: staffOidcSchema.optional(),
  })
  .describe("This council's staff console sign-in");

export type StaffOidcConfig = z.infer<typeof staffOidcSchema>;
export type RoleMapping = z.infer<typeof roleMappingSchema>;
