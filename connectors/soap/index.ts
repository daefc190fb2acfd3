// The SOAP connector: sends each delivery to a back office described by a local WSDL (document/literal, SOAP 1.1 or
// 1.2), with WS-Security UsernameToken or basic auth, the delivery id as idempotency key, and evidence files inline or
// through an attachment operation. See docs/connectors/soap.md.
import { defineConnector } from '@closeloop/sdk';
import { soapConfigSchema, type SoapConfig } from './config.ts';
import { SoapBinding } from './binding.ts';
import { deliverSoap } from './deliver.ts';
import { deliverSoapUpdate } from './deliver-update.ts';
import { checkBinding } from './check.ts';

export const connector = defineConnector<SoapConfig, SoapBinding>({
  name: 'soap',
  description: 'SOAP back office from a local WSDL: WS-Security, idempotent create, evidence inline or by an attachment operation',
  configSchema: soapConfigSchema,

  // One soap client per binding, kept by the hub (made on first use: see binding.ts).
  open: (ctx) => new SoapBinding(ctx.config, ctx.configDir),

  async deliver(job, ctx) {
    return deliverSoap(job, await ctx.state.get());
  },

  // Citizens' replies and further evidence through the binding's note operation (bindings with `updates` only).
  async deliverUpdate(job, ctx) {
    return deliverSoapUpdate(job, await ctx.state.get());
  },
  takesUpdates: (config) => config.updates !== undefined,

  check(ctx) {
    return checkBinding(ctx.config, () => ctx.state.get());
  },

  close: (binding) => binding.close(),
});
