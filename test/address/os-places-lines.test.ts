// Issue 19: how the os-places provider reads OS records it does not meet in the fake's small town — PAF's dependent
// thoroughfares and localities, PO boxes, numbers sent as numbers, BS 7666 number ranges and numbered flats in a named
// building — and that records without a UPRN or coordinates are left out rather than guessed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readAnswer } from '../../plugins/address/os-places/answer.ts';
import { foundAddresses } from '../../plugins/address/os-places/found-address.ts';

const answer = (...results: Record<string, unknown>[]) => readAnswer({ header: { totalresults: results.length }, results })!;
const at = { X_COORDINATE: 437318.0, Y_COORDINATE: 115539.0 };

describe('OS records to addresses', () => {
  test('DPA: the number with the dependent thoroughfare, then the thoroughfare and localities; a PO box; a number sent as a number', () => {
    const [a, b] = foundAddresses(
      answer(
        {
          DPA: {
            UPRN: '200010019924',
            ORGANISATION_NAME: 'ORDNANCE SURVEY',
            BUILDING_NUMBER: 4,
            DEPENDENT_THOROUGHFARE_NAME: 'ADANAC MEWS',
            THOROUGHFARE_NAME: 'ADANAC DRIVE',
            DOUBLE_DEPENDENT_LOCALITY: 'ADANAC PARK',
            DEPENDENT_LOCALITY: 'NURSLING',
            POST_TOWN: 'SOUTHAMPTON',
            POSTCODE: 'so160as',
            ...at,
          },
        },
        { DPA: { UPRN: '10001', ORGANISATION_NAME: 'EXAMPLE LTD', PO_BOX_NUMBER: '61', POST_TOWN: 'SOUTHAMPTON', POSTCODE: 'SO15 1AA', ...at } },
      ).records,
    );
    assert.deepEqual(a!.lines, ['ORDNANCE SURVEY', '4 ADANAC MEWS', 'ADANAC DRIVE', 'ADANAC PARK', 'NURSLING']);
    assert.equal(a!.postcode, 'SO16 0AS');
    assert.equal(a!.label, 'ORDNANCE SURVEY, 4 ADANAC MEWS, ADANAC DRIVE, ADANAC PARK, NURSLING, SOUTHAMPTON, SO16 0AS');
    assert.deepEqual(b!.lines, ['EXAMPLE LTD', 'PO BOX 61']);
  });

  test('LPI: number ranges with suffixes, a numbered flat in a named building, the locality only when it is not the town', () => {
    const [range, flat] = foundAddresses(
      answer(
        {
          LPI: {
            UPRN: '20001',
            PAO_START_NUMBER: '12',
            PAO_START_SUFFIX: 'A',
            PAO_END_NUMBER: '14',
            STREET_DESCRIPTION: 'HIGH STREET',
            LOCALITY_NAME: 'EXAMPLETON',
            TOWN_NAME: 'EXAMPLETON',
            POSTCODE_LOCATOR: 'EX1 1AA',
            LPI_LOGICAL_STATUS_CODE: '1',
            ...at,
          },
        },
        {
          LPI: {
            UPRN: '20002',
            SAO_START_NUMBER: 2,
            PAO_TEXT: 'ROSE COURT',
            STREET_DESCRIPTION: 'ORCHARD WAY',
            TOWN_NAME: 'EXAMPLETON',
            POSTCODE_LOCATOR: 'EX3 1PL',
            ...at,
          },
        },
      ).records,
    );
    assert.deepEqual(range!.lines, ['12A-14 HIGH STREET']);
    assert.equal(range!.town, 'EXAMPLETON');
    assert.deepEqual(flat!.lines, ['2 ROSE COURT', 'ORCHARD WAY']);
  });

  test('records without a UPRN or usable coordinates are counted and left out; an empty answer has no results key', () => {
    const read = answer(
      { DPA: { UPRN: 'ABC', POSTCODE: 'EX3 1PL', ...at } },
      { DPA: { UPRN: '1', POSTCODE: 'EX3 1PL', X_COORDINATE: 'east', Y_COORDINATE: 1 } },
      { DPA: { UPRN: '2', POSTCODE: 'EX3 1PL', X_COORDINATE: '292510.00', Y_COORDINATE: '92480.00' } },
      { SOMETHING_ELSE: {} },
    );
    assert.equal(read.unreadable, 3);
    assert.deepEqual(
      read.records.map((r) => [r.record.UPRN, r.record.X_COORDINATE]),
      [['2', 292510]],
    );
    assert.deepEqual(readAnswer({ header: { totalresults: 0 } }), { totalResults: 0, records: [], unreadable: 0 });
    assert.equal(readAnswer({ results: [] }), undefined);
    assert.equal(readAnswer('<html>'), undefined);
  });
});
