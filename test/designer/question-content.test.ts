// What the question builder's new definition keys do on the citizen pages: the start page's text and the confirmation's
// "What happens next" as escaped paragraphs, and an "is not" condition revealing a question under the other options.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPage } from '../../core/http/pages/renderer.ts';
import { publishDraft, startDraft } from '../../core/designer/drafts.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('start page and confirmation texts', () => {
  test('split into paragraphs on blank lines and escaped', () => {
    const service = {
      title: 'Report a dead animal',
      description: 'Tell us about a dead animal.',
      startPage: 'Do not touch it.\r\n\r\n<b>Call 999</b> if it blocks a road.\n  \n\nThanks',
      whatHappensNext: 'We collect it within 2 days.\n\nWe may call you.',
    };
    const start = renderPage('form-start.njk', {
      service,
      title: service.title,
      serviceName: service.title,
      minutes: 5,
      startUrl: '/x',
      council: { name: 'C' },
    });
    assert.match(
      start,
      /<p class="govuk-body">Do not touch it.<\/p>\s*<p class="govuk-body">&lt;b&gt;Call 999&lt;\/b&gt; if it blocks a road.<\/p>\s*<p class="govuk-body">Thanks<\/p>/,
    );
    const done = renderPage('confirmation.njk', {
      service,
      title: 'Done',
      serviceName: service.title,
      noun: 'report',
      result: { reference: 'DAN-1', trackingUrl: '/t' },
      council: { name: 'C' },
    });
    assert.match(done, /What happens next<\/h2>\s*<p class="govuk-body">We collect it within 2 days.<\/p>\s*<p class="govuk-body">We may call you.<\/p>/);
    const plain = renderPage('confirmation.njk', {
      service: { title: 'x' },
      title: 'Done',
      serviceName: 'x',
      noun: 'report',
      result: { reference: 'R', trackingUrl: '/t' },
      council: { name: 'C' },
    });
    assert.doesNotMatch(plain, /What happens next/);
  });
});

describe('a published draft with the new keys, on the citizen pages', () => {
  let t: TestHub;
  const id = `stray-${Date.now()}`;
  before(async () => {
    t = await startTestHub();
    const editor = { actor: 'staff:test', name: 'Test' };
    const draft = await startDraft(t.hub, editor, {
      definition: {
        id,
        title: 'Report a stray animal',
        referencePrefix: 'STR',
        startPage: 'Before you start, note where you saw it.',
        whatHappensNext: 'A warden will look for it.',
        tasks: [{ key: 'look', title: 'Look for it' }],
        pages: { animal: { title: 'The animal' } },
        fields: [
          {
            id: 'kind',
            type: 'radios',
            page: 'animal',
            label: 'What kind of animal?',
            options: [
              { value: 'cat', label: 'Cat' },
              { value: 'dog', label: 'Dog' },
            ],
          },
          { id: 'collar', type: 'text', page: 'animal', label: 'What does the collar say?', required: false, showIf: { field: 'kind', notIn: ['cat'] } },
        ],
      },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    await publishDraft(t.hub, editor, id, draft.revision);
  });
  after(() => t?.close());

  test('the start page shows the text; "is not" reveals the question under the other option', async () => {
    const start = await (await fetch(`${t.url}/services/${id}`)).text();
    assert.match(start, /<p class="govuk-body">Before you start, note where you saw it.<\/p>/);
    const page = await (await fetch(`${t.url}/services/${id}/animal`)).text();
    const dogItem = page.slice(page.indexOf('value="dog"'));
    assert.match(page, /govuk-radios__conditional/);
    assert.match(page.slice(page.indexOf('value="cat"'), page.indexOf('value="dog"')), /^(?![^]*name="collar")/, 'not under Cat');
    assert.match(dogItem, /name="collar"/, 'under Dog');
  });

  test('the API drops the hidden answer and keeps the shown one', async () => {
    const post = (answers: Record<string, unknown>) =>
      fetch(`${t.url}/api/v1/services/${id}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
    assert.equal((await post({ kind: 'cat', collar: 'Tom' })).status, 201);
    assert.equal((await post({ kind: 'dog', collar: 'Rex' })).status, 201);
    const rows = await t.hub.db.rows<{ answers: Record<string, unknown> }>(`select answers from processes where service_id = $1 order by submitted_at`, [id]);
    assert.deepEqual(
      rows.map((r) => r.answers.collar),
      [undefined, 'Rex'],
    );
  });
});
