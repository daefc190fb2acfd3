// "Test connection" for a SOAP binding: the WSDL loads from its file, the service, port, operations and argument
// elements exist, and, when a harmless `checkOperation` is configured, one call to it proves the endpoint answers and
// accepts the credentials. Nothing is created in the back office.
import type { CheckResult } from '@closeloop/sdk';
import type { SoapConfig } from './config.ts';
import { BindingConfigError, type PreparedBinding } from './client.ts';
import { CredentialsRefusedError } from './faults.ts';

export async function checkBinding(config: SoapConfig, prepare: () => Promise<PreparedBinding>): Promise<CheckResult> {
  let binding: PreparedBinding;
  try {
    binding = await prepare();
  } catch (err) {
    if (err instanceof BindingConfigError) return { ok: false, problems: err.problems };
    return { ok: false, problems: [`the binding could not be prepared: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  const probe = config.checkOperation;
  if (probe) {
    try {
      await binding.call(probe.operation, { ...probe.arguments });
    } catch (err) {
      if (err instanceof CredentialsRefusedError) problems.push(`auth: the back office refused the credentials (${err.detail})`);
      else problems.push(`checkOperation: calling ${probe.operation} failed: ${(err as Error).message}`);
    }
  }
  return { ok: problems.length === 0, problems };
}
