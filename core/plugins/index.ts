export * from './sdk.ts';
