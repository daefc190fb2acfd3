import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsupportedNodeMessage } from '../../core/node-version.ts';

test('the CLI names the Node.js versions it needs on an end-of-life Node', () => {
  const message = unsupportedNodeMessage('20.20.2');
  assert.ok(message, 'Node 20 is refused');
  assert.match(message, /needs Node\.js 24 or 26/);
  assert.match(message, /this is Node\.js 20\.20\.2/);
  assert.match(message, /use_node 24/);
  assert.equal(unsupportedNodeMessage('22.11.0') !== null, true, 'Node 22 is not a supported line');
  assert.equal(unsupportedNodeMessage('24.22.3'), null);
  assert.equal(unsupportedNodeMessage('v26.12.1'), null);
});

test('this test run is on a supported Node.js line', () => {
  assert.equal(unsupportedNodeMessage(process.versions.node), null, `tests run on Node ${process.versions.node}`);
});
