// The example council's noise complaint: answers that pass its definition, and a submission through the real API.
// Tests that need a case and do not care about its answers start here.
import assert from 'node:assert/strict';
import type { TestHub } from './hub.ts';

export type NoiseAnswers = Record<string, unknown>;

/** Answers the noise-complaint service accepts; `over` replaces any of them (e.g. `{ email: 'sam@example.com' }`). */
export function noiseAnswers(over: NoiseAnswers = {}): NoiseAnswers {
  return {
    noiseType: 'dog',
    noiseSource: { line1: '3 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
    whenHappens: ['morning', 'day'],
    frequency: 'daily',
    startedOn: '2026-09-01',
    impact: 'The dog barks all day.',
    spokenToNeighbour: 'no',
    fullName: 'Alex Citizen',
    email: 'alex@example.com',
    homeAddress: { line1: '5 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
    ...over,
  };
}

export interface SubmittedNoise {
  processId: string;
  reference: string;
  trackingUrl: string;
  /** The tracking link's token (the last part of trackingUrl). */
  token: string;
}

/** Submits a noise complaint as JSON through the API and expects 201. */
export async function submitNoise(t: Pick<TestHub, 'url'>, over: NoiseAnswers = {}): Promise<SubmittedNoise> {
  const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: noiseAnswers(over) }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const body = (await res.json()) as Omit<SubmittedNoise, 'token'>;
  return { ...body, token: body.trackingUrl.split('/track/')[1]! };
}
