// The OS Places fake's addresses: a small, invented part of "Exampleton" as OS would hold it, each property with its
// DPA record (Royal Mail's postal address) and its LPI records (the council's gazetteer), shaped field by field like
// the real API's JSON (fields OS leaves out when empty are left out here too).

export interface FakeRecord {
  dataset: 'DPA' | 'LPI';
  uprn: string;
  postcode: string;
  x: number;
  y: number;
  /** The record as OS sends it, inside `{ DPA: … }` or `{ LPI: … }`. */
  fields: Record<string, string | number>;
}

interface Property {
  uprn: string;
  x: number;
  y: number;
  dpa?: Partial<Record<DpaPart, string>>;
  lpi?: Partial<Record<LpiPart | 'LPI_LOGICAL_STATUS_CODE', string>>[];
}

type DpaPart =
  | 'DEPARTMENT_NAME'
  | 'ORGANISATION_NAME'
  | 'SUB_BUILDING_NAME'
  | 'BUILDING_NAME'
  | 'BUILDING_NUMBER'
  | 'DEPENDENT_THOROUGHFARE_NAME'
  | 'THOROUGHFARE_NAME'
  | 'DEPENDENT_LOCALITY'
  | 'POST_TOWN'
  | 'POSTCODE';
type LpiPart =
  | 'ORGANISATION'
  | 'SAO_TEXT'
  | 'SAO_START_NUMBER'
  | 'PAO_TEXT'
  | 'PAO_START_NUMBER'
  | 'PAO_START_SUFFIX'
  | 'STREET_DESCRIPTION'
  | 'LOCALITY_NAME'
  | 'TOWN_NAME'
  | 'POSTCODE_LOCATOR';

const TOWN = 'EXAMPLETON';

const PROPERTIES: Property[] = [
  {
    uprn: '100040000001',
    x: 292510,
    y: 92480,
    dpa: { BUILDING_NUMBER: '1', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [
      // The street's old name, kept by the gazetteer as a historical LPI (listed first: the provider must still prefer the approved one).
      { PAO_START_NUMBER: '1', STREET_DESCRIPTION: 'ORCHARD LANE', POSTCODE_LOCATOR: 'EX3 1PL', LPI_LOGICAL_STATUS_CODE: '8' },
      { PAO_START_NUMBER: '1', STREET_DESCRIPTION: 'ORCHARD WAY', POSTCODE_LOCATOR: 'EX3 1PL' },
    ],
  },
  {
    uprn: '100040000002',
    x: 292525,
    y: 92482,
    dpa: { BUILDING_NUMBER: '2', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [{ PAO_START_NUMBER: '2', STREET_DESCRIPTION: 'ORCHARD WAY', POSTCODE_LOCATOR: 'EX3 1PL' }],
  },
  {
    uprn: '100040000003',
    x: 292540.5,
    y: 92485.25,
    dpa: { SUB_BUILDING_NAME: 'FLAT 1', BUILDING_NAME: 'ROSE COURT', BUILDING_NUMBER: '3', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [{ SAO_TEXT: 'FLAT 1', PAO_TEXT: 'ROSE COURT', PAO_START_NUMBER: '3', STREET_DESCRIPTION: 'ORCHARD WAY', POSTCODE_LOCATOR: 'EX3 1PL' }],
  },
  {
    uprn: '100040000004',
    x: 292540.5,
    y: 92485.25,
    dpa: { SUB_BUILDING_NAME: 'FLAT 2', BUILDING_NAME: 'ROSE COURT', BUILDING_NUMBER: '3', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [{ SAO_TEXT: 'FLAT 2', PAO_TEXT: 'ROSE COURT', PAO_START_NUMBER: '3', STREET_DESCRIPTION: 'ORCHARD WAY', POSTCODE_LOCATOR: 'EX3 1PL' }],
  },
  {
    uprn: '100040000010',
    x: 292600,
    y: 92490,
    dpa: { ORGANISATION_NAME: 'EXAMPLETON DENTAL PRACTICE', BUILDING_NAME: '10A', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [
      {
        ORGANISATION: 'EXAMPLETON DENTAL PRACTICE',
        PAO_START_NUMBER: '10',
        PAO_START_SUFFIX: 'A',
        STREET_DESCRIPTION: 'ORCHARD WAY',
        POSTCODE_LOCATOR: 'EX3 1PL',
      },
    ],
  },
  {
    uprn: '100040000110',
    x: 292700,
    y: 92500,
    dpa: { BUILDING_NUMBER: '110', THOROUGHFARE_NAME: 'ORCHARD WAY', POSTCODE: 'EX3 1PL' },
    lpi: [{ PAO_START_NUMBER: '110', STREET_DESCRIPTION: 'ORCHARD WAY', POSTCODE_LOCATOR: 'EX3 1PL' }],
  },
  // A place without post: in the council's gazetteer (LPI) only.
  {
    uprn: '10023400001',
    x: 292800,
    y: 92600,
    lpi: [{ PAO_TEXT: 'PUBLIC CONVENIENCES', STREET_DESCRIPTION: 'ORCHARD WAY', LOCALITY_NAME: 'UPTON', POSTCODE_LOCATOR: 'EX3 1PN' }],
  },
  {
    uprn: '100040000020',
    x: 294000,
    y: 93000,
    dpa: { BUILDING_NUMBER: '20', THOROUGHFARE_NAME: 'MILL ROAD', DEPENDENT_LOCALITY: 'UPTON', POSTCODE: 'EX3 2AB' },
    lpi: [{ PAO_START_NUMBER: '20', STREET_DESCRIPTION: 'MILL ROAD', LOCALITY_NAME: 'UPTON', POSTCODE_LOCATOR: 'EX3 2AB' }],
  },
  // A long terrace: one postcode with more addresses than one OS page (100 records) holds.
  ...Array.from({ length: 150 }, (_, i): Property => ({
    uprn: String(100040001001 + i),
    x: 296000 + i * 5,
    y: 95000,
    dpa: { BUILDING_NUMBER: String(i + 1), THOROUGHFARE_NAME: 'LONG ROW', POSTCODE: 'EX3 9ZZ' },
    lpi: [{ PAO_START_NUMBER: String(i + 1), STREET_DESCRIPTION: 'LONG ROW', POSTCODE_LOCATOR: 'EX3 9ZZ' }],
  })),
];

/** Every record, DPA first then LPI for each property, in UPRN order as OS lists a postcode. */
export const FAKE_RECORDS: FakeRecord[] = PROPERTIES.flatMap((p) => [
  ...(p.dpa ? [dpaRecord(p, p.dpa)] : []),
  ...(p.lpi ?? []).map((l, i) => lpiRecord(p, l, i)),
]);

function dpaRecord(p: Property, parts: NonNullable<Property['dpa']>): FakeRecord {
  const postTown = parts.POST_TOWN ?? TOWN;
  const address = [
    parts.DEPARTMENT_NAME,
    parts.ORGANISATION_NAME,
    parts.SUB_BUILDING_NAME,
    parts.BUILDING_NAME,
    parts.BUILDING_NUMBER,
    parts.DEPENDENT_THOROUGHFARE_NAME,
    parts.THOROUGHFARE_NAME,
    parts.DEPENDENT_LOCALITY,
    postTown,
    parts.POSTCODE,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    dataset: 'DPA',
    uprn: p.uprn,
    postcode: parts.POSTCODE!,
    x: p.x,
    y: p.y,
    fields: withoutEmpty({
      UPRN: p.uprn,
      UDPRN: String(Number(p.uprn.slice(-8)) + 10_000_000),
      ADDRESS: address,
      ...parts,
      POST_TOWN: postTown,
      RPC: '1',
      X_COORDINATE: p.x,
      Y_COORDINATE: p.y,
      STATUS: 'APPROVED',
      LOGICAL_STATUS_CODE: '1',
      CLASSIFICATION_CODE: parts.ORGANISATION_NAME ? 'CM03' : 'RD04',
      CLASSIFICATION_CODE_DESCRIPTION: parts.ORGANISATION_NAME ? 'Medical Dentist / Doctor' : 'Terraced',
      LOCAL_CUSTODIAN_CODE: 1199,
      LOCAL_CUSTODIAN_CODE_DESCRIPTION: TOWN,
      COUNTRY_CODE: 'E',
      COUNTRY_CODE_DESCRIPTION: 'This record is within England',
      POSTAL_ADDRESS_CODE: 'D',
      POSTAL_ADDRESS_CODE_DESCRIPTION: 'A record which is linked to PAF',
      BLPU_STATE_CODE: '2',
      BLPU_STATE_CODE_DESCRIPTION: 'In use',
      TOPOGRAPHY_LAYER_TOID: `osgb10000${p.uprn.slice(-8)}`,
      LAST_UPDATE_DATE: '12/03/2024',
      ENTRY_DATE: '01/09/2001',
      BLPU_STATE_DATE: '01/09/2001',
      LANGUAGE: 'EN',
      MATCH: 1,
      MATCH_DESCRIPTION: 'EXACT',
      DELIVERY_POINT_SUFFIX: '1A',
    }),
  };
}

function lpiRecord(p: Property, parts: NonNullable<Property['lpi']>[number], index: number): FakeRecord {
  const town = parts.TOWN_NAME ?? TOWN;
  const pao = `${parts.PAO_START_NUMBER ?? ''}${parts.PAO_START_SUFFIX ?? ''}`;
  const address = [
    parts.ORGANISATION,
    parts.SAO_TEXT,
    parts.SAO_START_NUMBER,
    parts.PAO_TEXT,
    [pao, parts.STREET_DESCRIPTION].filter(Boolean).join(' '),
    parts.LOCALITY_NAME,
    town,
    parts.POSTCODE_LOCATOR,
  ]
    .filter(Boolean)
    .join(', ');
  const status = parts.LPI_LOGICAL_STATUS_CODE ?? '1';
  return {
    dataset: 'LPI',
    uprn: p.uprn,
    postcode: parts.POSTCODE_LOCATOR!,
    x: p.x,
    y: p.y,
    fields: withoutEmpty({
      UPRN: p.uprn,
      ADDRESS: address,
      USRN: parts.STREET_DESCRIPTION === 'MILL ROAD' ? '14200777' : '14200594',
      LPI_KEY: `1199L${String(Number(p.uprn.slice(-6)) * 10 + index).padStart(9, '0')}`,
      ...parts,
      TOWN_NAME: town,
      ADMINISTRATIVE_AREA: 'EXAMPLESHIRE',
      RPC: '1',
      X_COORDINATE: p.x,
      Y_COORDINATE: p.y,
      STATUS: status === '8' ? 'HISTORICAL' : 'APPROVED',
      LOGICAL_STATUS_CODE: '1',
      CLASSIFICATION_CODE: p.dpa ? 'RD04' : 'ZW99PU',
      CLASSIFICATION_CODE_DESCRIPTION: p.dpa ? 'Terraced' : 'Public Convenience',
      LOCAL_CUSTODIAN_CODE: 1199,
      LOCAL_CUSTODIAN_CODE_DESCRIPTION: TOWN,
      COUNTRY_CODE: 'E',
      COUNTRY_CODE_DESCRIPTION: 'This record is within England',
      POSTAL_ADDRESS_CODE: p.dpa ? 'D' : 'N',
      POSTAL_ADDRESS_CODE_DESCRIPTION: p.dpa ? 'A record which is linked to PAF' : 'Not a postal address',
      BLPU_STATE_CODE: '2',
      BLPU_STATE_CODE_DESCRIPTION: 'In use',
      TOPOGRAPHY_LAYER_TOID: `osgb10000${p.uprn.slice(-8)}`,
      LAST_UPDATE_DATE: '12/03/2024',
      ENTRY_DATE: '01/09/2001',
      STREET_STATE_CODE: '2',
      STREET_STATE_CODE_DESCRIPTION: 'Open',
      STREET_CLASSIFICATION_CODE: '8',
      STREET_CLASSIFICATION_CODE_DESCRIPTION: 'All vehicles',
      LPI_LOGICAL_STATUS_CODE: status,
      LPI_LOGICAL_STATUS_CODE_DESCRIPTION: status === '8' ? 'HISTORICAL' : 'APPROVED',
      LANGUAGE: 'EN',
      MATCH: 1,
      MATCH_DESCRIPTION: 'EXACT',
    }),
  };
}

function withoutEmpty(fields: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string | number>;
}
