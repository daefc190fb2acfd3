// An os-places provider's settings. The key arrives resolved: the council's config says `key: { env: NAME }`.
import { z } from 'zod';

export const OS_PLACES_URL = 'https://api.os.uk/search/places/v1';

export const osPlacesConfigSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[\x21-\x7e]{8,200}$/, 'must be an OS Data Hub project API key (letters and digits, no spaces)')
    .describe('The OS Data Hub project API key with the OS Places API added ({ env: OS_PLACES_API_KEY }); sent in the `key` header, never in a URL'),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .default(OS_PLACES_URL)
    .describe("The OS Places API's address; only for tests and proxies"),
  datasets: z
    .array(z.enum(['DPA', 'LPI']))
    .min(1)
    .max(2)
    .refine((d) => new Set(d).size === d.length, { message: 'name each dataset once' })
    .default(['DPA', 'LPI'])
    .describe(
      "Which OS datasets to search: DPA (Royal Mail's postal addresses) and/or LPI (the councils' gazetteers, which also hold places without post: a park, a garage block, a street). With both, an address in both is given once, as its DPA record",
    ),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(30_000)
    .default(4000)
    .describe(
      "Each request to OS Places must finish within it, or the citizen is offered manual entry; keep it below the council's address.timeoutMs so the operator's message says what OS did",
    ),
  allowPrivateNetwork: z
    .boolean()
    .default(false)
    .describe("Allow a baseUrl on a loopback or private address (tests, a proxy on the council's network); otherwise refused against SSRF"),
});

export type OsPlacesConfig = z.infer<typeof osPlacesConfigSchema>;
