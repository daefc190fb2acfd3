// One soap client per binding, built once from the local WSDL: the chosen service/port, security, the idempotency
// header, keep-alive (and TLS) agents, and `call()`, which runs one operation with a deadline and classifies failures.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BasicAuthSecurity, WSSecurity, createClientAsync, type Client } from 'soap';
import { PermanentError } from '@closeloop/sdk';
import { escapeXml } from '@closeloop/sdk/xml';
import { insecurePasswordProblem, type SoapConfig } from './config.ts';
import { classifyAnswer, classifyFailure } from './faults.ts';
import { EXCHANGE, GuardedHttpClient, MAX_RESPONSE_BYTES, type CallOptions, type Exchange } from './http.ts';
import { orderLike, type Description } from './arguments.ts';
import { argumentProblems, wsdlProblems } from './problems.ts';

/** The binding cannot work as configured (WSDL missing, unknown operation or element, unreadable TLS file). */
export class BindingConfigError extends PermanentError {
  constructor(
    readonly problems: string[],
    options: { cause?: unknown } = {},
  ) {
    super(problems.join('; '), options);
    this.name = 'BindingConfigError';
  }
}

/** Put on a call's arguments (a symbol, so soap never serialises it): the key the idempotency header carries. */
export const IDEMPOTENCY_KEY = Symbol('closeloop.soap.idempotencyKey');

export type Args = Record<string, unknown> & { [IDEMPOTENCY_KEY]?: string };

type SoapMethod = (
  args: unknown,
  callback: (err: unknown, result: unknown, raw: unknown) => void,
  options?: unknown,
  extraHeaders?: Record<string, string>,
) => void;

export interface CallResult {
  result: unknown;
  exchange: Exchange;
}

export interface PreparedBinding {
  config: SoapConfig;
  client: Client;
  service: string;
  port: string;
  /** Operation name → its input/output description (ordered as the WSDL's sequences). */
  operations: Record<string, { input: Description; output: Description }>;
  /** The create operation's input element, for `placement: body`. */
  inputElement: { name: string; namespace: string | undefined };
  endpoint: string;
  /** Runs one operation; `idempotencyKey` also goes out as the Idempotency-Key HTTP header. */
  call(operation: string, args: Args, idempotencyKey?: string): Promise<CallResult>;
  close(): void;
}

/** `configDir`: the folder of closeloop.yaml, where relative paths (the WSDL, PEM files) start; default the working directory. */
export async function prepareBinding(config: SoapConfig, configDir = process.cwd()): Promise<PreparedBinding> {
  const readPem = (file: string | undefined): Buffer | undefined => (file === undefined ? undefined : readFileSync(resolve(configDir, file)));
  const wsdlPath = resolve(configDir, config.wsdl);
  let client: Client;
  try {
    client = await createClientAsync(wsdlPath, {
      // Each binding gets its own parsed WSDL: soap's shared cache would let one binding's options (SOAP version,
      // envelope) leak into another's.
      disableCache: true,
      httpClient: new GuardedHttpClient(),
      forceSoap12Headers: config.soapVersion === '1.2',
      wsdl_options: {
        // xs:import / wsdl:import must stay local: a URL fails the load instead of being downloaded.
        overrideImportLocation(location: string) {
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new Error(`the WSDL imports ${location}; imports must be local files`);
          return location;
        },
      },
    });
  } catch (err) {
    throw new BindingConfigError([`wsdl: ${wsdlPath} could not be loaded: ${(err as Error).message}`], { cause: err });
  }
  const problems = wsdlProblems(client, config);
  if (problems.length) throw new BindingConfigError(problems);

  const services = client.describe() as Record<string, Record<string, Record<string, { input: Description; output: Description }>>>;
  const service = config.service ?? Object.keys(services)[0]!;
  const port = config.port ?? Object.keys(services[service]!)[0]!;
  const portDef = client.wsdl.definitions.services[service]!.ports[port]!;
  const endpoint: string = config.endpoint ?? portDef.location;
  if (config.endpoint) client.setEndpoint(config.endpoint);
  const insecure = insecurePasswordProblem(config, endpoint, config.endpoint ? 'the endpoint' : "the WSDL's address");
  if (insecure) throw new BindingConfigError([`auth.passwordType: ${insecure}`]);
  const input = portDef.binding.methods[config.operation]!.input;
  const operations = services[service]![port]!;
  const elementProblems = argumentProblems(config, operations);
  if (elementProblems.length) throw new BindingConfigError(elementProblems);

  if (config.auth.type === 'wsse') {
    // UsernameToken built afresh on every call: nonce = crypto.randomBytes(16) (read in soap 1.13's WSSecurity.js),
    // Created = now, and with PasswordDigest base64(sha1(nonce + created + password)) instead of the password.
    client.setSecurity(
      new WSSecurity(config.auth.username, config.auth.password, {
        passwordType: config.auth.passwordType,
        hasNonce: true,
        hasTimeStamp: true,
        hasTokenCreated: true,
      }),
    );
  } else if (config.auth.type === 'basic') {
    client.setSecurity(new BasicAuthSecurity(config.auth.username, config.auth.password));
  }

  // The delivery id as a SOAP header element, for calls whose arguments have no place for it.
  const { name, namespace } = config.idempotencyHeader;
  client.addSoapHeader((_method: unknown, _location: unknown, _action: unknown, args: Args | undefined) => {
    const key = args?.[IDEMPOTENCY_KEY];
    return key ? `<cl:${name} xmlns:cl="${escapeXml(namespace)}">${escapeXml(key)}</cl:${name}>` : '';
  });

  const tls = config.tls;
  let httpsAgent: https.Agent;
  try {
    httpsAgent = new https.Agent({
      keepAlive: true,
      ca: readPem(tls?.caFile),
      cert: readPem(tls?.certFile),
      key: readPem(tls?.keyFile),
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    });
  } catch (err) {
    throw new BindingConfigError([`tls: ${(err as Error).message}`], { cause: err });
  }
  const agents = { httpAgent: new http.Agent({ keepAlive: true }), httpsAgent };
  const methods = (client as unknown as Record<string, Record<string, Record<string, SoapMethod>>>)[service]![port]!;

  async function call(operation: string, args: Args, idempotencyKey?: string): Promise<CallResult> {
    const what = `${operation} at ${endpoint}`;
    const signal = AbortSignal.timeout(config.timeoutMs);
    const options: CallOptions = { ...agents, timeout: config.timeoutMs, signal, maxContentLength: MAX_RESPONSE_BYTES, maxRedirects: 0 };
    const ordered = Object.assign(orderLike(args, operations[operation]!.input), { [IDEMPOTENCY_KEY]: args[IDEMPOTENCY_KEY] }) as Args;
    let result: unknown;
    try {
      result = await new Promise((resolve, reject) => {
        methods[operation]!(ordered, (err, res) => (err ? reject(err) : resolve(res)), options, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});
      });
    } catch (err) {
      throw classifyFailure(what, err, options[EXCHANGE], signal, config.timeoutMs);
    }
    const exchange = options[EXCHANGE];
    if (!exchange) throw classifyFailure(what, new Error('no answer recorded'), undefined, signal, config.timeoutMs);
    // A well-formed, fault-free envelope with a failure status is still a failure.
    if (exchange.status < 200 || exchange.status >= 300) throw classifyAnswer(what, exchange);
    return { result, exchange };
  }

  return {
    config,
    client,
    service,
    port,
    operations,
    inputElement: { name: input.$name ?? config.operation, namespace: input.targetNamespace },
    endpoint,
    call,
    close() {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    },
  };
}
