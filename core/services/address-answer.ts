// A provider's address as an address question's answer: the lines as the provider gives them (the first as line 1, the
// rest joined as line 2), the UPRN and both kinds of coordinates.
import type { FoundAddress } from '@closeloop/sdk';
import type { AddressAnswer } from './validate-answers.ts';

export function addressAnswerOf(found: FoundAddress): AddressAnswer {
  const [line1, ...rest] = found.lines;
  return {
    uprn: found.uprn,
    ...(line1 ? { line1 } : {}),
    ...(rest.length ? { line2: rest.join(', ') } : {}),
    ...(found.town ? { town: found.town } : {}),
    postcode: found.postcode,
    easting: found.easting,
    northing: found.northing,
    latitude: found.latitude,
    longitude: found.longitude,
  };
}
