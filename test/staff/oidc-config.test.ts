// Staff sign-in settings in closeloop.yaml (council.staff.oidc, councils.<id>.staff.oidc): defaults, and problems that
// name the file, line and field; and the pure part of sign-in, from verified claims to a role.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../core/config/index.ts';
import { staffOidcSchema } from '../../core/config/staff-schema.ts';
import { claimValues, grantFor, identityFromClaims } from '../../core/staff/oidc-claims.ts';

let dir: string;
let base: string;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('staff/oidc-config', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-staff-oidc-'));
    base = await readFile(resolve('config/closeloop.yaml'), 'utf8');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  /** The example config with `council:` given staff settings and extra top-level YAML; answers the file and the text. */
  async function configWith(councilStaff: string, extra = ''): Promise<{ file: string; text: string }> {
    const text = base.replace('council:\n  name: Example District Council\n', `council:\n  name: Example District Council\n${councilStaff}`) + extra;
    assert.notEqual(text, base + extra, 'the example config has the council this test changes');
    const file = join(dir, `closeloop-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    return { file, text };
  }

  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  function problems(fn: () => unknown): string[] {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) return err.message.split('\n');
      throw err;
    }
    assert.fail('expected a ConfigError');
  }

  describe('staff.oidc in closeloop.yaml', () => {
    test('a council with a provider: defaults filled in, the secret left to the environment', async () => {
      const { file } = await configWith(
        [
          '  staff:',
          '    oidc:',
          '      issuer: https://login.microsoftonline.com/7d3c1e7a-0000-4000-8000-000000000000/v2.0',
          '      clientId: 0c1d2e3f-aaaa-4bbb-8ccc-123456789abc',
          '      clientSecret: { env: CLT_STAFF_OIDC_SECRET }',
          '      roleMapping:',
          '        - { value: d2b7c1e0-5a43-4d8e-9c0f-3b1a2e6f7a90, role: council-admin }',
          '',
        ].join('\n'),
      );
      const config = loadConfig(file, { ...process.env, CLT_STAFF_OIDC_SECRET: 'x' });
      const oidc = config.council.staff!.oidc!;
      assert.deepEqual(oidc.scopes, ['openid', 'email', 'profile']);
      assert.equal(oidc.nameClaim, 'name');
      assert.equal(oidc.emailClaim, 'email');
      assert.equal(oidc.rolesClaim, 'groups');
      assert.deepEqual(oidc.clientSecret, { env: 'CLT_STAFF_OIDC_SECRET' });
    });

    test('problems name the file, line and field', async () => {
      const { file, text } = await configWith(
        [
          '  staff:',
          '    oidc:',
          '      issuer: http://idp.example.org',
          '      clientId: hub',
          '      clientSecret: { env: CLT_STAFF_OIDC_UNSET }',
          '      scopes: [email]',
          '      roleMapping:',
          '        - { value: admins, role: council-admin, services: [noise-complaint] }',
          '        - { value: x, role: boss }',
          '',
        ].join('\n'),
        [
          'councils:',
          '  north:',
          '    name: North Borough Council',
          '    staff:',
          '      oidc:',
          '        issuer: https://keycloak.north.example.gov.uk/realms/staff',
          '        clientId: hub',
          '        clientSecret: "hunter2"',
          '        roleMapping:',
          '          - { value: ops, role: operator }',
          '',
        ].join('\n'),
      );
      const found = problems(() => loadConfig(file, { ...process.env }));
      const expect = (line: number, path: string, message: RegExp) =>
        assert.ok(
          found.some((p) => p.startsWith(`${file}:${line}: ${path}: `) && message.test(p)),
          `expected ${file}:${line}: ${path}: ${message} in\n${found.join('\n')}`,
        );
      expect(lineOf(text, 'issuer: http://idp'), 'council.staff.oidc.issuer', /https/);
      expect(lineOf(text, 'scopes: [email]'), 'council.staff.oidc.scopes', /must include openid/);
      expect(lineOf(text, 'value: admins'), 'council.staff.oidc.roleMapping.0.services', /only to a caseworker/);
      expect(lineOf(text, 'role: boss'), 'council.staff.oidc.roleMapping.1.role', /operator/);
      expect(lineOf(text, 'hunter2'), 'councils.north.staff.oidc.clientSecret', /never written here.*\{ env: NAME \}/);
    });

    test("operator comes only from the hub's own council's provider; an unset secret variable is named with its line", async () => {
      const { file, text } = await configWith(
        [
          '  staff:',
          '    oidc:',
          '      issuer: http://127.0.0.1:8080/realms/staff',
          '      clientId: hub',
          '      clientSecret: { env: CLT_STAFF_OIDC_UNSET }',
          '      roleMapping: [{ value: ops, role: operator }]',
          '',
        ].join('\n'),
        [
          'councils:',
          '  north:',
          '    name: North Borough Council',
          '    staff:',
          '      oidc:',
          '        issuer: https://keycloak.north.example.gov.uk/realms/staff',
          '        clientId: hub',
          '        roleMapping:',
          '          - { value: ops, role: operator }',
          '',
        ].join('\n'),
      );
      const found = problems(() => loadConfig(file, { ...process.env }));
      assert.ok(
        found.some((p) => p.startsWith(`${file}:${lineOf(text, '- { value: ops, role: operator }')}: councils.north.staff.oidc.roleMapping.0.role: `)),
        found.join('\n'),
      );
      const fixed = text.replace('          - { value: ops, role: operator }', '          - { value: ops, role: auditor }');
      await writeFile(file, fixed);
      const unset = problems(() => loadConfig(file, { ...process.env }));
      assert.deepEqual(unset, [
        `${file}:${lineOf(fixed, 'CLT_STAFF_OIDC_UNSET')}: council.staff.oidc.clientSecret: environment variable CLT_STAFF_OIDC_UNSET is not set`,
      ]);
    });
  });

  describe('from verified claims to a role', () => {
    const settings = staffOidcSchema.parse({
      issuer: 'https://idp.example.org',
      clientId: 'hub',
      rolesClaim: 'realm_access.roles',
      roleMapping: [
        { value: 'auditors', role: 'auditor' },
        { value: 'noise', role: 'caseworker', services: ['noise-complaint'] },
        { value: 'pests', role: 'caseworker', services: ['pest-control'] },
        { value: 'all-cases', role: 'caseworker' },
      ],
    });

    test('claim values: a lone string, a list, a dotted path; anything else is none', () => {
      assert.deepEqual(claimValues({ groups: 'a' }, 'groups'), ['a']);
      assert.deepEqual(claimValues({ groups: ['a', 1, 'b'] }, 'groups'), ['a', 'b']);
      assert.deepEqual(claimValues({ realm_access: { roles: ['x'] } }, 'realm_access.roles'), ['x']);
      assert.deepEqual(claimValues({ 'https://example.org/roles': ['r'] }, 'https://example.org/roles'), ['r']);
      assert.deepEqual(claimValues({ groups: { a: 1 } }, 'groups'), []);
    });

    test('the first matching entry decides the role; caseworker services are merged, none named meaning all', () => {
      assert.deepEqual(grantFor(settings.roleMapping, ['pests', 'noise'], 'north'), {
        role: 'caseworker',
        council: 'north',
        services: ['noise-complaint', 'pest-control'],
      });
      assert.deepEqual(grantFor(settings.roleMapping, ['pests', 'all-cases'], 'north'), { role: 'caseworker', council: 'north', services: null });
      assert.deepEqual(grantFor(settings.roleMapping, ['noise', 'auditors'], 'north'), { role: 'auditor', council: 'north', services: null });
      assert.equal(grantFor(settings.roleMapping, ['others'], 'north'), null);
    });

    test('e-mail falls back to preferred_username, name to the e-mail; Entra ID groups overage is refused with a reason', () => {
      const base = { iss: 'https://idp.example.org', sub: 's1', realm_access: { roles: ['auditors'] } };
      const outcome = identityFromClaims({ ...base, preferred_username: 'Ann@Example.org' }, settings, 'north');
      assert.ok(outcome.ok);
      assert.equal(outcome.identity.email, 'ann@example.org');
      assert.equal(outcome.identity.name, 'ann@example.org');
      const noEmail = identityFromClaims({ ...base, preferred_username: 'not-an-address' }, settings, 'north');
      assert.equal(!noEmail.ok && noEmail.reason, 'no-email');
      const overage = identityFromClaims(
        { iss: 'x', sub: 's', email: 'a@b.org', _claim_names: { groups: 'src1' } },
        staffOidcSchema.parse({ ...settings, rolesClaim: 'groups' }),
        'north',
      );
      assert.equal(!overage.ok && overage.reason, 'groups-overage');
    });
  });
});
