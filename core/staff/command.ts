// `closeloop staff create | list | disable`: local staff accounts from the command line (a fresh clone's first operator
// comes from here). Tests call it as the command line does.
import type { Config } from '../config/index.ts';
import { connectDatabase, migrate } from '../db/index.ts';
import { createStaffAccount, disableStaffAccount, INVITATION_DAYS, StaffAccountError } from './accounts.ts';
import { listStaffUsers } from './staff-users-repo.ts';
import { ROLE_LABELS } from './types.ts';

export interface StaffCommandOptions {
  email?: string;
  role?: string;
  council?: string;
  services?: string;
  name?: string;
}

/** closeloop staff create | list | disable. */
export async function staffCommand(
  config: Config,
  sub: string | undefined,
  values: StaffCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  usage = '',
): Promise<number> {
  const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  try {
    await migrate(db, config);
    if (sub === 'create') {
      if (!values.email || !values.role) {
        err.write('staff create needs --email and --role (operator, council-admin, service-editor, caseworker or auditor)\n');
        return 1;
      }
      const services = values.services
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        const { user, link } = await createStaffAccount(
          db,
          { email: values.email, role: values.role, council: values.council ?? null, services: services ?? null, name: values.name ?? null },
          { publicBaseUrl: config.server.publicBaseUrl, councils: [config.council.id, ...Object.keys(config.councils)], actor },
        );
        out.write(
          `Created ${ROLE_LABELS[user.role].toLowerCase()} ${user.email}${user.council ? ` (council ${user.council})` : ' (every council)'}` +
            `${user.services ? `, services: ${user.services.join(', ')}` : ''}\n`,
        );
        out.write(`Send them this link (it works once, for ${INVITATION_DAYS} days) to set a password and a second factor:\n${link}\n`);
        return 0;
      } catch (e) {
        if (!(e instanceof StaffAccountError)) throw e;
        err.write(`${e.message}\n`);
        return 1;
      }
    }
    if (sub === 'list') {
      for (const u of await listStaffUsers(db)) {
        const state = u.disabledAt ? 'disabled' : u.hasSecondFactor || u.oidc ? 'active' : 'invited';
        out.write(
          `${u.email}  ${state.padEnd(8)}  ${u.role}${u.council ? ` (${u.council})` : ''}${u.services ? ` ${u.services.join(',')}` : ''}${u.oidc ? '  [sign-in: OIDC]' : ''}${u.name ? `  ${u.name}` : ''}\n`,
        );
      }
      return 0;
    }
    if (sub === 'disable') {
      if (!values.email) {
        err.write('staff disable needs --email\n');
        return 1;
      }
      const done = await disableStaffAccount(db, values.email, actor);
      (done ? out : err).write(done ? `Disabled ${values.email.toLowerCase()}; their sessions have ended\n` : `No enabled staff account for ${values.email}\n`);
      return done ? 0 : 1;
    }
    err.write(usage);
    return 1;
  } finally {
    await db.close();
  }
}
