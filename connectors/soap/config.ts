// A SOAP binding's settings. Secrets arrive resolved: closeloop.yaml says `{ env: NAME }` or `{ generated: name }`.
// The WSDL is a local file, never a URL: the hub must not fetch a contract over the network at run time.
import { z } from 'zod';

/** A required string whose absence says what is missing. */
const text = (what: string) => z.string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) });
/** An XML element name without a prefix (what WSDL operations and schema elements are called). */
const ncName = text('an element name').regex(/^[A-Za-z_][\w.-]*$/, 'must be an XML element name without a prefix');
/** A dotted path of element names: `Contact.Name`. */
const elementPath = text('an element path').regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'must be element names joined by dots, e.g. Contact.Name');
const nonEmpty = (what: string) => text(what).min(1, `${what} is required`);
/** A value sent as an argument: an XPath into the validated XML (text of the first node it selects), or a constant. */
const argumentValue = z.union([nonEmpty('the XPath'), z.strictObject({ value: z.string() })], {
  error: 'must be an XPath string or { value: "constant" }',
});

const documentKinds = z.array(z.enum(['evidence', 'form-json', 'form-html', 'xml'])).min(1).default(['evidence']);

/** Element names of one file inside an attachment; the defaults match the test back office's WSDL. */
const attachmentFields = z
  .strictObject({
    fileName: ncName.default('FileName'),
    contentType: ncName.default('ContentType'),
    content: ncName.default('Content').describe('carries the bytes as base64 (xs:base64Binary)'),
  })
  .default({ fileName: 'FileName', contentType: 'ContentType', content: 'Content' });

export const soapConfigSchema = z
  .strictObject({
    /** Path to the WSDL file. Relative paths resolve from the folder of closeloop.yaml. */
    wsdl: nonEmpty('the path to the WSDL file').refine((p) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p), {
      message: 'must be the path to a local WSDL file, not a URL: the hub never fetches a WSDL over the network (download it once and keep it with the config)',
    }),
    /** Service and port of the WSDL (default: the first of each). */
    service: ncName.optional(),
    port: ncName.optional(),
    /** The operation that creates the case. */
    operation: text('the operation that creates the case').regex(/^[A-Za-z_][\w.-]*$/, 'must be an operation name from the WSDL'),
    /** Replaces the WSDL's address (e.g. the test or live back office). */
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
    soapVersion: z.enum(['1.1', '1.2']).default('1.1'),
    /** Per SOAP call: the whole exchange (connect, send, answer) must finish within it. */
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    request: z.discriminatedUnion(
      'mode',
      [
        z.strictObject({
          /** The validated XML as it is: the whole SOAP Body (`body`), or inside the operation's input element (`wrapped`). */
          mode: z.literal('document'),
          placement: z.enum(['wrapped', 'body']).default('wrapped'),
        }),
        z.strictObject({
          mode: z.literal('arguments'),
          /** Input element (dotted path for nested ones) → XPath into the validated XML, or { value }. */
          arguments: z.record(elementPath, argumentValue, { error: 'keys must be element names (dotted for nested ones, e.g. Contact.Name); values an XPath or { value }' }).refine((a) => Object.keys(a).length > 0, 'give at least one argument'),
          /** Prefixes the XPaths use (the service XML usually has a default namespace, which XPath needs a prefix for). */
          namespaces: z.record(ncName, z.string().min(1)).optional(),
          /** The input element that carries the delivery id (the back office's idempotency key). */
          idempotencyArgument: elementPath.optional(),
        }),
      ],
      { error: 'must be { mode: document } or { mode: arguments, arguments: {...} }' },
    ),
    /** When no argument carries the delivery id, it travels in this SOAP header element (and always as Idempotency-Key HTTP header). */
    idempotencyHeader: z
      .strictObject({ name: ncName, namespace: z.string().regex(/^[^"<>&\s]+$/, 'must be a namespace URI') })
      .default({ name: 'IdempotencyKey', namespace: 'urn:closeloop:idempotency:1' }),
    auth: z
      .discriminatedUnion(
        'type',
        [
          z.strictObject({
            /** WS-Security UsernameToken with a nonce and a created time. */
            type: z.literal('wsse'),
            username: nonEmpty('username'),
            password: nonEmpty('password'),
            passwordType: z.enum(['PasswordDigest', 'PasswordText']).default('PasswordDigest'),
          }),
          z.strictObject({ type: z.literal('basic'), username: nonEmpty('username'), password: nonEmpty('password') }),
          z.strictObject({ type: z.literal('none') }),
        ],
        { error: 'type must be wsse, basic or none' },
      )
      .default({ type: 'none' }),
    tls: z
      .strictObject({
        /** PEM files: extra CA(s) to trust, and a client certificate and key for mutual TLS. */
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .refine((t) => !!t.certFile === !!t.keyFile, { message: 'certFile and keyFile go together', path: ['keyFile'] })
      .optional(),
    /** Where the back office's case reference is in the operation's answer: dotted path, e.g. CaseReference or Result.Case.Id. */
    reference: text('the path of the case reference in the answer').regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'must be element names joined by dots, e.g. CaseReference or Result.Case.Id'),
    attachments: z
      .discriminatedUnion(
        'mode',
        [
          z.strictObject({ mode: z.literal('none') }),
          z.strictObject({
            /** Files inside the create request: <argument><item><FileName/><ContentType/><Content/></item>…</argument>. */
            mode: z.literal('inline'),
            argument: elementPath.default('Attachments'),
            item: ncName.default('Attachment'),
            fields: attachmentFields,
            kinds: documentKinds,
          }),
          z.strictObject({
            /** After the create, one call per file, carrying the case reference and a per-file idempotency key. */
            mode: z.literal('operation'),
            operation: ncName,
            referenceArgument: elementPath,
            fields: attachmentFields,
            /** The input element carrying `${deliveryId}:${documentId}`; without it the key travels in the idempotency header. */
            idempotencyArgument: elementPath.optional(),
            kinds: documentKinds,
          }),
        ],
        { error: 'mode must be none, inline or operation' },
      )
      .default({ mode: 'none' }),
    /**
     * WS-Security `PasswordText` puts the password itself in every request: over plain http anyone on the path reads it.
     * It is refused with an http endpoint unless this is true (a back office on the same machine or a private link).
     */
    allowInsecureTransport: z.boolean().default(false),
    /** A harmless operation (status, ping) that check() calls to prove the endpoint and the credentials work. */
    checkOperation: z
      .strictObject({ operation: ncName, arguments: z.record(elementPath, z.string()).default({}) })
      .optional(),
  })
  .superRefine((c, ctx) => {
    // Inline files are arguments of the create request; a document sent as-is has no place for them.
    if (c.attachments.mode === 'inline' && c.request.mode !== 'arguments') {
      ctx.addIssue({ code: 'custom', path: ['attachments', 'mode'], message: 'inline attachments need request.mode "arguments" (a document is sent as it is)' });
    }
    // Without `endpoint` the WSDL's address is used: prepareBinding checks that one when it loads the WSDL.
    const insecure = c.endpoint ? insecurePasswordProblem(c, c.endpoint) : null;
    if (insecure) ctx.addIssue({ code: 'custom', path: ['auth', 'passwordType'], message: insecure });
  });

/** Why this binding would send its password in clear to `endpoint`, or null when it would not. */
export function insecurePasswordProblem(c: Pick<SoapConfig, 'auth' | 'allowInsecureTransport'>, endpoint: string, what = 'the endpoint'): string | null {
  if (c.auth.type !== 'wsse' || c.auth.passwordType !== 'PasswordText' || c.allowInsecureTransport) return null;
  if (!/^http:/i.test(endpoint)) return null;
  return `PasswordText sends the password in clear, and ${what} (${endpoint}) is plain http: use https or PasswordDigest, or set allowInsecureTransport: true if the path to the back office is private`;
}

export type SoapConfig = z.infer<typeof soapConfigSchema>;
export type ArgumentValue = z.infer<typeof argumentValue>;
