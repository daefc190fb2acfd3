// UK postcodes as citizens and address files write them ("sw1a2aa", " SW1A  2AA ") → the one form providers and the
// gazetteer store ("SW1A 2AA"). The rules are Royal Mail's: the outward code is A9, A99, AA9, AA99, A9A or AA9A with
// letters allowed per position; the inward code is a digit and two letters (never C, I, K, M, O or V). GIR 0AA (the
// old Girobank code, still in the Postcode Address File) is the one exception.

const FIRST = 'ABCDEFGHIJKLMNOPRSTUWYZ'; // not Q, V, X
const SECOND = 'ABCDEFGHKLMNOPQRSTUVWXY'; // not I, J, Z
const THIRD = 'ABCDEFGHJKPSTUW'; // A9A
const FOURTH = 'ABEHMNPRVWXY'; // AA9A
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ'; // not C, I, K, M, O, V

const POSTCODE = new RegExp(
  `^(?:GIR0AA|(?:[${FIRST}][0-9][0-9]?|[${FIRST}][${SECOND}][0-9][0-9]?|[${FIRST}][0-9][${THIRD}]|[${FIRST}][${SECOND}][0-9][${FOURTH}])[0-9][${INWARD}]{2})$`,
);

/** "sw1a2aa" → "SW1A 2AA"; undefined when the text is not a UK postcode. */
export function normalisePostcode(text: string): string | undefined {
  if (typeof text !== 'string' || text.length > 16) return undefined;
  const compact = text.replace(/\s+/g, '').toUpperCase();
  if (!POSTCODE.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
