// The formats a text answer can be held to, by name: content designers choose "UK postcode", not a regular expression.
// Each is an RE2 pattern (the engine answers are matched with, core/services/pattern.ts) and a GOV.UK-style message.
// A definition whose pattern is none of these keeps it: the designer shows it as "Custom format (set in YAML)".

export interface NamedFormat {
  id: string;
  /** What the designer reads in the list of formats. */
  name: string;
  /** An example of a matching answer, for the hint on the designer's page. */
  example: string;
  pattern: string;
  /** The error a citizen sees when the answer is not in this format. */
  message: string;
}

export const NAMED_FORMATS: readonly NamedFormat[] = [
  {
    id: 'uk-postcode',
    name: 'UK postcode',
    example: 'SW1A 1AA',
    pattern:
      '(?i)(GIR ?0AA|[A-PR-UWYZ][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][0-9][A-HJKPSTUW] ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY] ?[0-9][ABD-HJLNP-UW-Z]{2})',
    message: 'Enter a full UK postcode, like SW1A 1AA',
  },
  {
    id: 'uk-phone',
    name: 'UK phone number',
    example: '01632 960 001',
    pattern: '(0|\\+44 ?(\\(0\\) ?)?)[1-9]([ -]?[0-9]){8,9}',
    message: 'Enter a UK telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192',
  },
  {
    id: 'vehicle-registration',
    name: 'Vehicle registration',
    example: 'AB12 CDE',
    pattern: '[A-Za-z]{2}[0-9]{2} ?[A-Za-z]{3}|[A-Za-z][0-9]{1,3} ?[A-Za-z]{3}|[A-Za-z]{3} ?[0-9]{1,3}[A-Za-z]?',
    message: 'Enter a registration like AB12 CDE',
  },
  {
    id: 'numbers-only',
    name: 'Numbers only',
    example: '123456',
    pattern: '[0-9]+',
    message: 'Enter numbers only, using the digits 0 to 9',
  },
  {
    id: 'letters-only',
    name: 'Letters only',
    example: 'Smith',
    pattern: "[A-Za-z][A-Za-z '-]*",
    message: 'Enter letters only, with spaces, hyphens or apostrophes if you need them',
  },
];

export function namedFormat(id: string): NamedFormat | undefined {
  return NAMED_FORMATS.find((f) => f.id === id);
}

/** The named format a definition's pattern is, if it is one. */
export function formatOfPattern(pattern: string): NamedFormat | undefined {
  return NAMED_FORMATS.find((f) => f.pattern === pattern);
}
