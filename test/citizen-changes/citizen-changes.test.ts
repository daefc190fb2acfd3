// What the citizen sees of their process is written in one place (core/citizen-changes): every change they can see leaves
// its timeline entries, the message that tells them and the audit entry, consistently; and how they are told (their
// channel) is decided once, when they submit, and stored with the process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { apiAs, sql, waitFor } from '../governance/support.ts';
import { serviceDefinitionSchema, type ServiceDefinition } from '../../core/services/index.ts';
import { migrate } from '../../core/db/index.ts';
import { sendNotificationOnce } from '../../core/notify/send.ts';

interface Snapshot {
  channel: string | null;
  timeline: { kind: string; visible: boolean; text: string }[];
  messages: { kind: string; channel: string; texts: string[] }[];
  audit: string[];
}

/** Fly-tipping as the example council has it, except that the e-mail address is optional (so a citizen may leave none). */
async function flyTippingFile(): Promise<Record<string, unknown>> {
  const raw = parse(await readFile(resolve('config/services/fly-tipping.yaml'), 'utf8')) as { fields: { id: string; required?: boolean }[] };
  raw.fields.find((f) => f.id === 'email')!.required = false;
  return raw as unknown as Record<string, unknown>;
}

const answers = (email?: string) => ({
  location: { line1: 'Lay-by, Old Road', postcode: 'EX6 7AA' },
  wasteTypes: ['garden'],
  amount: 'bags',
  blocking: 'no',
  seenOn: '2026-11-22',
  sawDumping: 'no',
  fullName: 'Sam Walker',
  ...(email ? { email } : {}),
});

describe('citizen-visible changes', () => {
  let t: TestHub;
  let smtp: SmtpPeer;
  let servicesDir: string;
  let key: string;

  before(async () => {
    smtp = await startSmtpPeer();
    servicesDir = await mkdtemp(join(tmpdir(), 'closeloop-services-'));
    await writeFile(join(servicesDir, 'fly-tipping.yaml'), stringify(await flyTippingFile()));
    t = await startTestHub({
      env: { SMTP_PORT: String(smtp.port) },
      worker: true,
      configure: (c) => {
        c.paths.services = servicesDir;
        // Updates wait an hour for more to join them: each process's one pending message gathers every update below.
        c.notifications.combineWindowSeconds = 3600;
      },
    });
    // A service published while its channel ("sms") was configured; the hub's config has since lost that channel.
    const sms: ServiceDefinition = serviceDefinitionSchema.parse({
      ...(await flyTippingFile()),
      id: 'fly-tipping-sms',
      referencePrefix: 'FLS',
      notify: { channel: 'sms' },
    });
    const { version } = await t.hub.catalogue.createDraft(sms);
    await t.hub.catalogue.publish('fly-tipping-sms', version);
    await t.hub.catalogue.reload();
    key = await t.key(['fly-tipping', 'fly-tipping-sms'], { name: 'Street scene' });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    await rm(servicesDir, { recursive: true, force: true });
  });

  const api = () => apiAs(t, key);

  async function submit(serviceId: string, email?: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/services/${serviceId}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: answers(email) }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { processId: string }).processId;
  }

  async function snapshot(processId: string): Promise<Snapshot> {
    const [p] = await sql<{ channel: string | null }>(t, 'select channel from processes where id = $1', [processId]);
    return {
      channel: p!.channel,
      timeline: await sql(t, 'select kind, visible_to_citizen as visible, text from timeline_events where process_id = $1 order by id', [processId]),
      messages: await sql(
        t,
        `select kind, channel, array(select u->>'text' from jsonb_array_elements(updates) u) as texts from notifications where process_id = $1 order by created_at, kind`,
        [processId],
      ),
      audit: (await sql<{ action: string }>(t, 'select action from audit_events where process_id = $1 order by id', [processId])).map((a) => a.action),
    };
  }

  const delivered = (id: string) =>
    waitFor(async () => (await sql<{ status: string }>(t, 'select status from processes where id = $1', [id]))[0]!.status === 'received', 'delivery', 30_000);

  /** Every kind of change a citizen can see, in the order a process meets them, with the audit action each leaves. */
  const changes: { name: string; audit: string | null; run(processId: string): Promise<unknown> }[] = [
    { name: 'delivery', audit: null, run: delivered },
    {
      name: 'public note',
      audit: 'note.added',
      run: async (id) =>
        assert.equal(
          (await api()(`/api/v1/processes/${id}/notes`, { method: 'POST', body: JSON.stringify({ text: 'The crew goes on Monday.', visibleToCitizen: true }) }))
            .status,
          201,
        ),
    },
    {
      name: 'private note',
      audit: 'note.added',
      run: async (id) =>
        assert.equal(
          (await api()(`/api/v1/processes/${id}/notes`, { method: 'POST', body: JSON.stringify({ text: 'PRIVATE: repeat site.', visibleToCitizen: false }) }))
            .status,
          201,
        ),
    },
    {
      name: 'task update (moves the process on)',
      audit: 'task.updated',
      run: async (id) =>
        assert.equal((await api()(`/api/v1/processes/${id}/tasks/triage`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) })).status, 200),
    },
    {
      name: 'task update with a private note',
      audit: 'task.updated',
      run: async (id) =>
        assert.equal(
          (
            await api()(`/api/v1/processes/${id}/tasks/triage`, {
              method: 'PATCH',
              body: JSON.stringify({ status: 'completed', note: 'PRIVATE: gloves needed.', visibleToCitizen: false }),
            })
          ).status,
          200,
        ),
    },
    {
      name: 'closing',
      audit: 'process.closed',
      run: async (id) =>
        assert.equal(
          (await api()(`/api/v1/processes/${id}/close`, { method: 'POST', body: JSON.stringify({ reason: 'The waste was cleared.' }) })).status,
          200,
        ),
    },
  ];

  /**
   * Runs every change on the process and checks what each one left: new timeline entries; when the citizen can be told,
   * exactly the visible ones appended, in order, to their one pending message (and never a hidden one); one audit entry
   * for what a back office did, none for the hub's own steps.
   */
  async function runEveryChange(processId: string, told: boolean): Promise<void> {
    let was = await snapshot(processId);
    for (const change of changes) {
      await change.run(processId);
      const now = await snapshot(processId);
      const added = now.timeline.slice(was.timeline.length);
      assert.ok(added.length >= 1, `${change.name}: a timeline entry`);
      const pendingTexts = (s: Snapshot) => s.messages.filter((m) => m.kind === 'update').flatMap((m) => m.texts);
      const visible = added.filter((e) => e.visible).map((e) => e.text);
      assert.deepEqual(pendingTexts(now).slice(pendingTexts(was).length), told ? visible : [], `${change.name}: the message carries the visible entries`);
      assert.equal(now.messages.filter((m) => m.kind === 'update').length, told ? 1 : 0, `${change.name}: one message gathers the updates`);
      assert.deepEqual(now.audit.slice(was.audit.length), change.audit ? [change.audit] : [], `${change.name}: audit entry`);
      assert.equal(now.channel, was.channel, `${change.name}: the channel is never decided again`);
      was = now;
    }
    assert.ok(!was.messages.flatMap((m) => m.texts).some((text) => text.includes('PRIVATE')), 'private notes never reach the citizen');
  }

  test('a citizen with an e-mail address: the submission stores the channel, and every change tells them through it', async () => {
    const id = await submit('fly-tipping', 'sam@example.com');
    const first = await snapshot(id);
    assert.equal(first.channel, 'email');
    assert.deepEqual(
      first.timeline.map((e) => [e.kind, e.visible]),
      [['submitted', true]],
    );
    assert.deepEqual(
      first.messages.map((m) => [m.kind, m.channel, m.texts.length]),
      [['submitted', 'email', 1]],
    );
    assert.deepEqual(first.audit, []);
    await runEveryChange(id, true);
    const last = await snapshot(id);
    assert.ok(last.messages.every((m) => m.channel === 'email'));
    assert.deepEqual(
      last.timeline.map((e) => e.kind),
      ['submitted', 'received', 'note', 'note', 'task', 'status', 'task', 'note', 'status'],
    );
  });

  test('a citizen who left no contact details: no channel, no message ever; the timeline and the audit log are the same', async () => {
    const id = await submit('fly-tipping');
    const first = await snapshot(id);
    assert.equal(first.channel, null);
    assert.deepEqual(first.messages, []);
    await runEveryChange(id, false);
    const last = await snapshot(id);
    assert.deepEqual(last.messages, []);
    assert.deepEqual(last.audit, ['note.added', 'note.added', 'task.updated', 'task.updated', 'process.closed']);
  });

  test('a service whose channel is no longer configured: decided once at submission (none), so no change queues a message for it', async () => {
    const id = await submit('fly-tipping-sms', 'sam@example.com');
    assert.equal((await snapshot(id)).channel, null);
    // Delivery, notes, tasks and closing used to read the channel from the service version again and queue messages
    // for a channel the hub cannot send through.
    await runEveryChange(id, false);
    assert.deepEqual((await snapshot(id)).messages, []);
  });

  test('a channel removed from the config after submission: the process keeps its channel, and the message fails where operators see it', async () => {
    const id = await submit('fly-tipping', 'sam@example.com');
    await changes[1]!.run(id);
    const [message] = await sql<{ id: string; channel: string }>(t, `select id, channel from notifications where process_id = $1 and kind = 'update'`, [id]);
    assert.equal(message!.channel, 'email');
    // The worker of a hub whose config no longer has "email" (its channels: none).
    const outcome = await sendNotificationOnce(
      {
        db: t.hub.db,
        catalogue: t.hub.catalogue,
        channels: new Map(),
        log: t.hub.log,
        councilOf: () => ({ name: 'Test' }),
        publicBaseUrl: () => t.url,
        attempts: 3,
        attemptLeaseMs: 60_000,
      },
      message!.id,
    );
    assert.equal(outcome, 'failed');
    const [row] = await sql<{ status: string; last_error: string }>(t, 'select status, last_error from notifications where id = $1', [message!.id]);
    assert.equal(row!.status, 'failed');
    assert.match(row!.last_error, /channel "email" is not configured/);
  });

  test('migration 007 gives existing processes the channel their submission would have decided', async () => {
    const withEmail = await submit('fly-tipping', 'sam@example.com');
    const noContact = await submit('fly-tipping');
    const unconfigured = await submit('fly-tipping-sms', 'sam@example.com');
    const erased = await submit('fly-tipping', 'sam@example.com');
    // Delivered first: the worker's statements must not meet the schema while the column is gone below.
    for (const id of [withEmail, noContact, unconfigured, erased]) await delivered(id);
    const admin = apiAs(t, await t.key([], { admin: true }));
    assert.equal((await admin(`/api/v1/admin/processes/${erased}/erase`, { method: 'POST', body: JSON.stringify({ reason: 'DPO-1' }) })).status, 200);
    assert.equal((await snapshot(erased)).channel, null, 'erasure leaves no channel');

    const before007 = async () => {
      await sql(t, 'alter table processes drop column channel');
      await sql(t, `delete from schema_migrations where name = '007-process-channel'`);
    };
    const channels = async () =>
      Object.fromEntries(
        (
          await sql<{ id: string; channel: string | null }>(t, 'select id, channel from processes where id = any($1::uuid[])', [
            [withEmail, noContact, unconfigured, erased],
          ])
        ).map((r) => [r.id, r.channel]),
      );
    await before007();
    assert.deepEqual(await migrate(t.hub.db, t.config), ['007-process-channel']);
    assert.deepEqual(await channels(), { [withEmail]: 'email', [noContact]: null, [unconfigured]: null, [erased]: null });
    // With "sms" configured when the migration runs, that service's process gets it.
    await before007();
    await migrate(t.hub.db, { channels: { ...t.config.channels, sms: {} } });
    assert.deepEqual(await channels(), { [withEmail]: 'email', [noContact]: null, [unconfigured]: 'sms', [erased]: null });
  });
});
