// The SDK's message wording helpers: placeholders checked per kind, filled in, and plain text made into escaped HTML.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPlaceholders, plainTextToHtml, unknownPlaceholders } from '@closeloop/sdk';

describe('message texts', () => {
  test('unknown placeholders are named once each; ((update)) belongs to updates only', () => {
    assert.deepEqual(unknownPlaceholders('submitted', 'Hi ((name)) ((oops)) ((oops)) ((update))'), ['oops', 'update']);
    assert.deepEqual(unknownPlaceholders('update', '((update)) ((reference)) ((trackingUrl))'), []);
    assert.deepEqual(unknownPlaceholders('update', 'plain (brackets) and ((two words)) are text'), []);
  });

  test('known placeholders are filled, others left as typed; values are not read as placeholders again', () => {
    assert.equal(fillPlaceholders('((reference)) ((x)) ((name))', { reference: 'NOI-1', name: '((reference))' }), 'NOI-1 ((x)) ((reference))');
    assert.equal(fillPlaceholders('((constructor))', {}), '((constructor))');
  });

  test('HTML from plain text: escaped, paragraphs and line breaks, the tracking link a link', () => {
    const url = 'https://hub.example/track/abc?x=1&y=2';
    assert.equal(
      plainTextToHtml(`<b>Hi</b> & "you"\nline two\n\nTrack: ${url}`, url),
      '<p>&lt;b&gt;Hi&lt;/b&gt; &amp; &quot;you&quot;<br>\nline two</p>\n<p>Track: <a href="https://hub.example/track/abc?x=1&amp;y=2">https://hub.example/track/abc?x=1&amp;y=2</a></p>',
    );
  });
});
