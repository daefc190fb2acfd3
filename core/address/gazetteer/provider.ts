// The `gazetteer` address provider: the council's own address list (an LLPG/AddressBase export imported with
// `closeloop gazetteer import`), in Postgres. Built into core, registered by the Registry itself; it needs no network.
import { z } from 'zod';
import { defineAddressProvider, type AddressProviderContext, type PluginDatabase } from '@closeloop/sdk';
import { searchTextOf } from './address-row.ts';
import { addressesAtPostcode, addressesLike, addressOfUprn, nearestAddress } from './gazetteer-repo.ts';

export const gazetteerConfigSchema = z
  .object({
    seed: z
      .string()
      .regex(/\.csv$/i, 'must be a .csv file')
      .optional()
      .describe(
        "A CSV address list (relative to the config folder) imported when the council's gazetteer is empty, so a new hub has addresses at once (the example council's synthetic gazetteer). A later `closeloop gazetteer import` replaces it",
      ),
  })
  .strict();

export type GazetteerConfig = z.infer<typeof gazetteerConfigSchema>;

export const gazetteerProvider = defineAddressProvider<GazetteerConfig>({
  name: 'gazetteer',
  description: "The council's own address list (an LLPG or AddressBase export, imported with `closeloop gazetteer import`), kept in Postgres",
  configSchema: gazetteerConfigSchema,
  byPostcode: (postcode, { building, limit }, ctx) =>
    addressesAtPostcode(database(ctx), ctx.council, postcode, (building && searchTextOf([building])) || undefined, limit),
  search: (text, { limit }, ctx) => addressesLike(database(ctx), ctx.council, searchTextOf([text]), limit),
  byUprn: (uprn, ctx) => addressOfUprn(database(ctx), ctx.council, uprn),
  nearest: (point, { maxMetres }, ctx) => nearestAddress(database(ctx), ctx.council, point, maxMetres),
});

function database(ctx: AddressProviderContext<GazetteerConfig>): PluginDatabase {
  if (!ctx.database) throw new Error('the gazetteer needs the hub database (the address finder gives it)');
  return ctx.database;
}
