// Working drafts: one per service, saved with the revision it was made from — a second editor saving from the same
// revision is refused (nothing overwritten), an incomplete draft cannot be published (each problem named), a complete one
// publishes through the catalogue as a new version, and every step is in the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { DraftConflictError, draftProblems, editDraft, getDraft, openDraft, publishDraft, saveDraft, startDraft } from '../../core/designer/drafts.ts';
import { ValidationError } from '../../core/errors.ts';

const alice = { actor: 'staff:alice', name: 'Alice Ahmed' };
const bob = { actor: 'staff:bob', name: 'Bob Brown' };

describe('working drafts', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  test('a new service: saved step by step, a stale save is a conflict, publishing needs it complete', async () => {
    const id = `dead-animal-${Date.now()}`;
    const started = await startDraft(t.hub, alice, {
      definition: { id, title: 'Report a dead animal', referencePrefix: 'DAN', fields: [], tasks: [] },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    assert.equal(started.revision, 1);
    assert.ok(
      draftProblems(t.hub, started.definition).some((p) => p.field === 'fields'),
      'no questions yet is a problem',
    );

    const withQuestion = await editDraft(t.hub, alice, id, 1, 'added a question', (d) => {
      d.fields.push({ id: 'where', type: 'textarea', label: 'Where is the animal?' });
    });
    assert.equal(withQuestion.revision, 2);
    assert.equal(withQuestion.editedByName, 'Alice Ahmed');

    // Bob opened the page at revision 1 too: his save must not overwrite Alice's question.
    await assert.rejects(
      saveDraft(t.hub, bob, id, 1, { ...started.definition, title: 'Bob’s title' }, 'changed the title'),
      (err: unknown) => err instanceof DraftConflictError && err.current?.editedByName === 'Alice Ahmed' && err.status === 409,
    );
    assert.equal((await getDraft(t.hub, id))!.definition.fields.length, 1, 'Alice’s question is still there');

    await assert.rejects(publishDraft(t.hub, alice, id, 2), (err: unknown) => err instanceof ValidationError && /tasks/.test(JSON.stringify(err)));
    const complete = await editDraft(t.hub, bob, id, 2, 'added a task', (d) => {
      d.tasks.push({ key: 'collect', title: 'Collect the animal' });
    });
    const { version } = await publishDraft(t.hub, bob, id, complete.revision);
    assert.equal(t.hub.catalogue.get(id).version, version);
    assert.equal(await getDraft(t.hub, id), undefined, 'the working draft is gone once published');

    const audit = await t.hub.db.rows<{ actor: string; action: string }>(`select actor, action from audit_events where target like $1 order by id`, [`${id}%`]);
    assert.deepEqual(
      audit.map((a) => `${a.actor} ${a.action}`),
      ['staff:alice service.draft-started', 'staff:alice service.draft-edited', 'staff:bob service.draft-edited', 'staff:bob service.published'],
    );
  });

  test('opening a published service starts its draft from the newest version; opening it again gives the same draft', async () => {
    const [service] = t.hub.catalogue.list();
    const first = await openDraft(t.hub, alice, service!.serviceId);
    assert.equal(first.baseVersion, service!.version);
    assert.deepEqual(first.definition.fields, service!.definition.fields);
    const again = await openDraft(t.hub, bob, service!.serviceId);
    assert.equal(again.revision, first.revision);
    assert.equal(again.createdBy, 'staff:alice');
  });
});
