// The SOAP connector: sends each delivery to a back office described by a local WSDL (document/literal, SOAP 1.1 or
// 1.2), with WS-Security UsernameToken or basic auth, the delivery id as idempotency key, and evidence files inline or
// through an attachment operation. See docs/connectors/soap.md.
import { defineConnector, type ConnectorContext } from '../../core/plugins/index.ts';
import { soapConfigSchema, type SoapConfig } from './config.ts';
import { prepareBinding, type PreparedBinding } from './client.ts';
import { deliverSoap } from './deliver.ts';
import { checkBinding } from './check.ts';

// One soap client per binding context (a context lives as long as its binding's runtime). A failed preparation is
// not kept: the next delivery tries again (the WSDL file may have been fixed).
const prepared = new Map<ConnectorContext<SoapConfig>, Promise<PreparedBinding>>();

function prepare(ctx: ConnectorContext<SoapConfig>): Promise<PreparedBinding> {
  let binding = prepared.get(ctx);
  if (!binding) {
    binding = prepareBinding(ctx.config, ctx.configDir);
    prepared.set(ctx, binding);
    binding.catch(() => prepared.delete(ctx));
  }
  return binding;
}

export const connector = defineConnector<SoapConfig>({
  name: 'soap',
  description: 'SOAP back office from a local WSDL: WS-Security, idempotent create, evidence inline or by an attachment operation',
  configSchema: soapConfigSchema,

  async deliver(job, ctx) {
    return deliverSoap(job, await prepare(ctx));
  },

  check(ctx) {
    return checkBinding(ctx.config, () => prepare(ctx));
  },

  async close() {
    const bindings = [...prepared.values()];
    prepared.clear();
    for (const binding of await Promise.allSettled(bindings)) if (binding.status === 'fulfilled') binding.value.close();
  },
});
