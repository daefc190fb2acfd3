// Addresses (issue 19): a council's address provider behind one finder, UK postcodes, and British National Grid ↔ WGS84.
// Other code imports only this.
export { addressFinder, type AddressFinder, type AddressHost } from './finder.ts';
export { normalisePostcode } from './postcode.ts';
export { gridToWgs84, wgs84ToGrid, isGridPointInGreatBritain, GREAT_BRITAIN_GRID } from './grid.ts';
export { addressConfigProblems, type AddressProviderSource } from './address-config.ts';
export { importGazetteer, GazetteerImportError, MAX_LISTED_BAD_ROWS, type ImportOptions, type ImportReport, type BadRow } from './gazetteer/import.ts';
export { gazetteerProvider, gazetteerConfigSchema } from './gazetteer/provider.ts';
export { AddressProviderUnavailable, type FoundAddress, type GridPoint } from '@closeloop/sdk';
