// Shared by the security suites: valid answers for the fixture noise service, and a host serving an evil DTD that
// records whether anything ever fetched it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers the fixture `noise` service (test/fixtures/config) accepts. */
export const fixtureNoiseAnswers = () => ({
  noiseType: 'music',
  description: 'Loud music after midnight.',
  source: { line1: '12 High Street', town: 'Exampleton', postcode: 'EX1 2AB' },
  started: '2026-10-01',
  times: ['night'],
  email: 'resident@example.com',
});

export interface DtdHost {
  url: string;
  /** Paths requested: must stay empty, no parser may fetch it. */
  hits: string[];
  close(): Promise<void>;
}

export async function startDtdHost(): Promise<DtdHost> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('<!ENTITY ext "EXPANDED-FROM-DTD">');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil.dtd`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
