// What is wrong with a binding's config against its WSDL, worded for a council admin (check() lists these; a delivery
// on such a binding fails permanently with them).
import type { Client } from 'soap';
import type { SoapConfig } from './config.ts';
import { describes, elementNames, type Description } from './arguments.ts';

type AttachmentFields = { fileName: string; contentType: string; content: string };

/** Problems that make the binding unusable (unknown service, port or operation), worded for an admin. */
export function wsdlProblems(client: Client, config: SoapConfig): string[] {
  const services = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
  const service = config.service ?? Object.keys(services)[0];
  if (!service || !services[service]) return [`service: the WSDL has no service "${config.service}" (it has: ${Object.keys(services).join(', ') || 'none'})`];
  const ports = services[service]!;
  const port = config.port ?? Object.keys(ports)[0];
  if (!port || !ports[port]) return [`port: service ${service} has no port "${config.port}" (it has: ${Object.keys(ports).join(', ') || 'none'})`];
  const operations = ports[port]!;
  const wanted: [string, string][] = [['operation', config.operation]];
  if (config.attachments.mode === 'operation') wanted.push(['attachments.operation', config.attachments.operation]);
  if (config.checkOperation) wanted.push(['checkOperation.operation', config.checkOperation.operation]);
  if (config.updates) wanted.push(['updates.operation', config.updates.operation]);
  return wanted
    .filter(([, op]) => !operations[op])
    .map(([field, op]) => `${field}: port ${port} of service ${service} has no operation "${op}" (it has: ${Object.keys(operations).join(', ')})`);
}

/** Element names in the config that the WSDL's operations do not have, worded for an admin. */
export function argumentProblems(config: SoapConfig, operations: Record<string, { input: Description }>): string[] {
  const problems: string[] = [];
  const check = (field: string, operation: string, path: string) => {
    const input = operations[operation]?.input;
    if (input && !describes(input, path)) problems.push(`${field}: ${operation}'s input has no element "${path}" (it has: ${elementNames(input).join(', ')})`);
  };
  const fieldsOf = (f: AttachmentFields) => [f.fileName, f.contentType, f.content];
  const r = config.request;
  if (r.mode === 'arguments') {
    for (const path of Object.keys(r.arguments)) check(`request.arguments.${path}`, config.operation, path);
    if (r.idempotencyArgument) check('request.idempotencyArgument', config.operation, r.idempotencyArgument);
  }
  const a = config.attachments;
  if (a.mode === 'inline') {
    check('attachments.argument', config.operation, a.argument);
    for (const f of fieldsOf(a.fields)) check('attachments.fields', config.operation, `${a.argument}.${a.item}.${f}`);
  }
  if (a.mode === 'operation') {
    check('attachments.referenceArgument', a.operation, a.referenceArgument);
    if (a.idempotencyArgument) check('attachments.idempotencyArgument', a.operation, a.idempotencyArgument);
    for (const f of fieldsOf(a.fields)) check('attachments.fields', a.operation, f);
  }
  const u = config.updates;
  if (u) {
    for (const [field, path] of [
      ['updates.referenceArgument', u.referenceArgument],
      ['updates.textArgument', u.textArgument],
      ['updates.sentAtArgument', u.sentAtArgument],
      ['updates.idempotencyArgument', u.idempotencyArgument],
    ] as const)
      if (path) check(field, u.operation, path);
  }
  if (config.checkOperation)
    for (const path of Object.keys(config.checkOperation.arguments)) check(`checkOperation.arguments.${path}`, config.checkOperation.operation, path);
  return problems;
}
