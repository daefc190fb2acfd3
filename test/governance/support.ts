// Shared by the governance tests: a citizen with recognisable personal data, submissions, API calls and the CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';

export { waitFor };

const exec = promisify(execFile);

/** Every value here is searched for after erasure: none may be left anywhere the process's rows keep text. */
export const PERSONAL = {
  fullName: 'Alexandra Quillfeather',
  email: 'alexandra.quillfeather@example.com',
  phone: '07700 900461',
  homeLine1: '5 Kennelworth Row',
  postcode: 'EX9 7QZ',
  impact: 'The Quillfeather family cannot sleep <at all> & the baby wakes.',
};

export const noiseAnswers = {
  noiseType: 'dog',
  noiseSource: { line1: '3 Kennelworth Row', town: 'Exampleton', postcode: 'EX9 7QY' },
  whenHappens: ['morning', 'day'],
  frequency: 'daily',
  startedOn: '2026-01-05',
  impact: PERSONAL.impact,
  spokenToNeighbour: 'no',
  fullName: PERSONAL.fullName,
  email: PERSONAL.email,
  phone: PERSONAL.phone,
  homeAddress: { line1: PERSONAL.homeLine1, town: 'Exampleton', postcode: PERSONAL.postcode },
};

export const pestAnswers = {
  pest: 'rats',
  whereSeen: ['garden'],
  premisesType: 'domestic',
  propertyAddress: { line1: '9 Orchard Way', postcode: 'EX3 1PL' },
  preferredDays: ['tue'],
  concession: 'no',
  fullName: 'Jo Tenant',
  email: 'jo@example.com',
  phone: '07700 900123',
};

export interface Submitted {
  processId: string;
  reference: string;
  trackingUrl: string;
}

export async function submitJson(t: TestHub, serviceId: string, answers: Record<string, unknown>): Promise<Submitted> {
  const res = await fetch(`${t.url}/api/v1/services/${serviceId}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Submitted;
}

export async function submitWithFiles(
  t: TestHub,
  answers: Record<string, unknown>,
  files: { name: string; bytes: Buffer; type: string }[],
): Promise<Submitted> {
  const fd = new FormData();
  fd.append('answers', JSON.stringify(answers));
  for (const f of files) fd.append('evidence', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, { method: 'POST', body: fd });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Submitted;
}

export function apiAs(t: TestHub, key: string) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
}

/** Runs `closeloop <args>` as operators do, against the test hub's database and document folder. */
export async function cli(t: TestHub, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args, '--config', t.configFile], {
      env: { ...t.env, USER: 'dpo-operator' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function sql<T>(t: TestHub, query: string, bind: unknown[] = []): Promise<T[]> {
  const rows = await t.hub.db.rows(query, bind);
  return rows as T[];
}
