// Uploaded XSDs: Postgres is the source of truth; every process materialises them (on start, and on the NOTIFY another
// process's upload sends) and loadXsd resolves "uploaded/<council>/<name>" there — so a worker on another machine
// validates deliveries against exactly the uploaded file. The upload check refuses what could hurt the parser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  checkUploadedXsd,
  compileMapping,
  ensureUploadedXsd,
  insertUploadedXsd,
  loadXsd,
  renderXml,
  sha256,
  syncUploadedXsds,
  uploadedXsdExists,
  uploadedXsdRoot,
} from '../../core/xml/index.ts';
import { uploadName, uploadXsd } from '../../core/designer/xsd-choices.ts';

const XSD = readFileSync('test/fixtures/xsd/dead-animal.xsd', 'utf8');

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('uploaded XSDs', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  test('an upload committed by another process is materialised here on its NOTIFY, and validates XML', async () => {
    const name = `notified-${Date.now()}.xsd`;
    const file = `uploaded/default/${name}`;
    assert.equal(uploadedXsdExists(file), false);
    // As another machine's serve process would: the row and its NOTIFY, without touching this process's folder.
    await t.hub.db.transaction((tx) =>
      insertUploadedXsd(tx, { council: 'default', name, content: XSD, sha256: sha256(XSD), uploadedBy: 'staff:x', uploadedByName: 'X' }),
    );
    await until(() => uploadedXsdExists(file));
    const result = renderXml(
      compileMapping({
        root: 'DeadAnimalReport',
        namespace: 'urn:example-council:streetcare:dead-animal:v1',
        attributes: { channel: 'Online' },
        children: [{ element: 'Reference', value: { process: 'reference' } }],
      }),
      t.config.paths.xsd,
      file,
      { process: { id: 'p', reference: 'DAN-ABCD2345', serviceId: 's', serviceVersion: 1, submittedAt: '2026-01-01T00:00:00Z' }, answers: {}, documents: [] },
    );
    assert.equal(result.valid, false);
    assert.match(result.errors[0]!.message, /ReceivedAt/, 'validated against the uploaded XSD');
  });

  test('a new process rebuilds its folder from Postgres', async () => {
    const name = `rebuilt-${Date.now()}.xsd`;
    await t.hub.db.transaction((tx) =>
      insertUploadedXsd(tx, { council: 'default', name, content: XSD, sha256: sha256(XSD), uploadedBy: 'staff:x', uploadedByName: 'X' }),
    );
    await until(() => uploadedXsdExists(`uploaded/default/${name}`));
    rmSync(join(uploadedXsdRoot(), 'uploaded', 'default', name));
    assert.equal(uploadedXsdExists(`uploaded/default/${name}`), false);
    await syncUploadedXsds(t.hub.db);
    assert.ok(existsSync(join(uploadedXsdRoot(), 'uploaded', 'default', name)));
    assert.ok(loadXsd(t.config.paths.xsd, `uploaded/default/${name}`));
    assert.throws(() => loadXsd(t.config.paths.xsd, 'uploaded/default/../../../../etc/passwd'), /outside the XSD folder/);
    // A delivery for a service using it reads it from Postgres when this process missed the notification.
    rmSync(join(uploadedXsdRoot(), 'uploaded', 'default', name));
    await ensureUploadedXsd(t.hub.db, `uploaded/default/${name}`);
    assert.ok(uploadedXsdExists(`uploaded/default/${name}`));
  });

  test('the same file uploaded twice is one XSD; another file under a taken name is refused', async () => {
    const editor = { actor: 'staff:x', name: 'X' };
    const first = await uploadXsd(t.hub.db, editor, 'default', 'Same Name.xsd', Buffer.from(XSD));
    assert.deepEqual(first, { ok: true, file: 'uploaded/default/same-name.xsd', reused: false });
    assert.deepEqual(await uploadXsd(t.hub.db, editor, 'default', 'same name.XSD', Buffer.from(XSD)), { ...first, reused: true });
    const other = await uploadXsd(t.hub.db, editor, 'default', 'same-name.xsd', Buffer.from(XSD.replace('BADGER', 'OTTER')));
    assert.equal(other.ok, false);
    assert.match((other as { message: string }).message, /already been uploaded with different content/);
    const audit = await t.hub.db.rows<{ target: string }>(
      `select target from audit_events where action = 'service.xsd-uploaded' and target = 'default/same-name.xsd'`,
    );
    assert.equal(audit.length, 1);
  });
});

describe('checkUploadedXsd', () => {
  test('refusals, each a sentence', () => {
    const refuse = (text: string | Buffer) => {
      const r = checkUploadedXsd(Buffer.isBuffer(text) ? text : Buffer.from(text));
      return r.ok ? 'ok' : r.message;
    };
    assert.equal(refuse(XSD), 'ok');
    assert.match(refuse(Buffer.from([0xff, 0xfe, 0x00])), /must be text in UTF-8/);
    assert.match(refuse('<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://x/a.dtd"><a/>'), /DOCTYPE/);
    assert.match(refuse('<a><!ENTITY x "y"></a>'), /must not declare entities/);
    assert.match(refuse('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:redefine schemaLocation="a.xsd"/></xs:schema>'), /another file/);
    assert.match(refuse('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>'), /declares no elements/);
    assert.match(refuse('<schema><element name="A"/></schema>'), /first element must be xs:schema/);
    assert.match(refuse('<unclosed'), /is not XML/);
    assert.match(refuse(Buffer.alloc(1024 * 1024 + 1, 0x20)), /smaller than 1 MB/);
  });

  test('names of uploaded files', () => {
    assert.equal(uploadName('Dead Animal (v2).XSD'), 'dead-animal-v2.xsd');
    assert.equal(uploadName('../../etc/passwd'), 'etc-passwd.xsd');
    assert.equal(uploadName('***'), 'schema.xsd');
  });
});
