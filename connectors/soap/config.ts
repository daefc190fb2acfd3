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
const argumentValue = z.union([nonEmpty('the XPath'), z.strictObject({ value: z.string().describe('A constant, sent as it is') })], {
  error: 'must be an XPath string or { value: "constant" }',
});

const documentKinds = z
  .array(z.enum(['evidence', 'form-json', 'form-html', 'xml']))
  .min(1)
  .default(['evidence'])
  .describe("Which documents are sent: evidence (the citizen's files), form-json / form-html (copies of the form), xml");

/** Element names of one file inside an attachment; the defaults match the test back office's WSDL. */
const attachmentFields = z
  .strictObject({
    fileName: ncName.default('FileName').describe("The element carrying the file's name"),
    contentType: ncName.default('ContentType').describe("The element carrying the file's media type"),
    content: ncName.default('Content').describe('The element carrying the bytes as base64 (xs:base64Binary)'),
  })
  .default({ fileName: 'FileName', contentType: 'ContentType', content: 'Content' })
  .describe('Element names of one file');

export const soapConfigSchema = z
  .strictObject({
    wsdl: nonEmpty('the path to the WSDL file')
      .refine((p) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p), {
        message:
          'must be the path to a local WSDL file, not a URL: the hub never fetches a WSDL over the network (download it once and keep it with the config)',
      })
      .describe('Path to the WSDL file, relative to the folder of closeloop.yaml; never a URL (its imports must be local files too)'),
    service: ncName.optional().describe("The WSDL's service (default: its first)"),
    port: ncName.optional().describe("The service's port (default: its first)"),
    operation: text('the operation that creates the case')
      .regex(/^[A-Za-z_][\w.-]*$/, 'must be an operation name from the WSDL')
      .describe('The operation that creates the case'),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .optional()
      .describe("Replaces the WSDL's address (e.g. the test or live back office)"),
    soapVersion: z.enum(['1.1', '1.2']).default('1.1').describe("SOAP 1.1 or 1.2 (use the WSDL's port for that version)"),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .max(300_000)
      .default(30_000)
      .describe('Per SOAP call: the whole exchange (connect, send, answer) must finish within it'),
    request: z
      .discriminatedUnion(
        'mode',
        [
          z.strictObject({
            mode: z.literal('document').describe('The validated XML is sent as it is'),
            placement: z
              .enum(['wrapped', 'body'])
              .default('wrapped')
              .describe("Inside the operation's input element (wrapped), or as the whole SOAP Body (body)"),
          }),
          z.strictObject({
            mode: z.literal('arguments').describe("The operation's input elements are filled from the validated XML"),
            arguments: z
              .record(elementPath, argumentValue.describe('An XPath into the validated XML (the text of the first node it selects), or { value: constant }'), {
                error: 'keys must be element names (dotted for nested ones, e.g. Contact.Name); values an XPath or { value }',
              })
              .refine((a) => Object.keys(a).length > 0, 'give at least one argument')
              .describe('Input element (dotted path for nested ones, e.g. Contact.Name) → where its value comes from; sent in the order of the WSDL'),
            namespaces: z
              .record(ncName, z.string().min(1))
              .optional()
              .describe('Prefix → namespace URI for the XPaths (the service XML usually has a default namespace, which XPath needs a prefix for)'),
            idempotencyArgument: elementPath.optional().describe("The input element that carries the delivery id (the back office's idempotency key)"),
          }),
        ],
        { error: 'must be { mode: document } or { mode: arguments, arguments: {...} }' },
      )
      .describe('How the create request is made from the validated XML'),
    idempotencyHeader: z
      .strictObject({
        name: ncName.describe("The header element's name"),
        namespace: z
          .string()
          .regex(/^[^"<>&\s]+$/, 'must be a namespace URI')
          .describe('Its namespace URI'),
      })
      .default({ name: 'IdempotencyKey', namespace: 'urn:closeloop:idempotency:1' })
      .describe('When no argument carries the delivery id, it travels in this SOAP header element (and always as the Idempotency-Key HTTP header)'),
    auth: z
      .discriminatedUnion(
        'type',
        [
          z.strictObject({
            type: z.literal('wsse').describe('WS-Security UsernameToken with a nonce and a created time'),
            username: nonEmpty('username').describe('The user'),
            password: nonEmpty('password').describe('Its password ({ env: NAME })'),
            passwordType: z
              .enum(['PasswordDigest', 'PasswordText'])
              .default('PasswordDigest')
              .describe(
                'PasswordDigest sends a digest of nonce, time and password; PasswordText the password itself (refused over plain http unless allowInsecureTransport)',
              ),
          }),
          z.strictObject({
            type: z.literal('basic').describe('HTTP basic authentication'),
            username: nonEmpty('username').describe('The user'),
            password: nonEmpty('password').describe('Its password ({ env: NAME })'),
          }),
          z.strictObject({ type: z.literal('none').describe('No authentication') }),
        ],
        { error: 'type must be wsse, basic or none' },
      )
      .default({ type: 'none' })
      .describe('How the hub proves who it is to the back office'),
    // PasswordText puts the password itself in every request: over plain http anyone on the path reads it.
    allowInsecureTransport: z
      .boolean()
      .default(false)
      .describe('Allow WS-Security PasswordText to a plain http endpoint (a back office on the same machine or a private link); otherwise refused'),
    tls: z
      .strictObject({
        caFile: z.string().min(1).optional().describe('PEM file of extra CA(s) to trust'),
        certFile: z.string().min(1).optional().describe('PEM client certificate for mutual TLS (with keyFile)'),
        keyFile: z.string().min(1).optional().describe('PEM key of the client certificate'),
        rejectUnauthorized: z.boolean().default(true).describe('Refuse a server certificate that does not verify (turn off only for a test back office)'),
      })
      .refine((t) => !!t.certFile === !!t.keyFile, { message: 'certFile and keyFile go together', path: ['keyFile'] })
      .optional()
      .describe('TLS to an https endpoint'),
    reference: text('the path of the case reference in the answer')
      .regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'must be element names joined by dots, e.g. CaseReference or Result.Case.Id')
      .describe("Where the back office's case reference is in the operation's answer: a dotted path, e.g. CaseReference or Result.Case.Id"),
    attachments: z
      .discriminatedUnion(
        'mode',
        [
          z.strictObject({ mode: z.literal('none').describe('No files are sent') }),
          z.strictObject({
            mode: z.literal('inline').describe('Files inside the create request: <argument><item><FileName/><ContentType/><Content/></item>…</argument>'),
            argument: elementPath.default('Attachments').describe('The input element holding the files'),
            item: ncName.default('Attachment').describe('The element of one file'),
            fields: attachmentFields,
            kinds: documentKinds,
          }),
          z.strictObject({
            mode: z.literal('operation').describe('After the create, one call per file, carrying the case reference and a per-file idempotency key'),
            operation: ncName.describe('The operation that adds a file to a case'),
            referenceArgument: elementPath.describe("The input element carrying the case's reference"),
            fields: attachmentFields,
            idempotencyArgument: elementPath
              .optional()
              .describe('The input element carrying deliveryId:documentId; without it the key travels in the idempotency header'),
            kinds: documentKinds,
          }),
        ],
        { error: 'mode must be none, inline or operation' },
      )
      .default({ mode: 'none' })
      .describe("How the citizen's files reach the back office"),
    updates: z
      .strictObject({
        operation: ncName.describe('The operation that adds a note to a case (e.g. AddNote)'),
        referenceArgument: elementPath.describe("The input element carrying the case's reference (from the delivery)"),
        textArgument: elementPath.describe('The input element carrying what the citizen wrote'),
        sentAtArgument: elementPath.optional().describe('The input element carrying when they sent it (ISO 8601)'),
        idempotencyArgument: elementPath.optional().describe('The input element carrying the update id; without it the key travels in the idempotency header'),
      })
      .optional()
      .describe(
        "Citizens' replies and further evidence: one call of this operation per message, then (with attachments.mode operation) one attachment call per file, each with its own idempotency key (absent: this binding takes no updates)",
      ),
    checkOperation: z
      .strictObject({
        operation: ncName.describe('The operation (e.g. GetStatus)'),
        arguments: z.record(elementPath, z.string()).default({}).describe('Input element → constant value'),
      })
      .optional()
      .describe('A harmless operation (status, ping) that check-config --connect calls to prove the endpoint and the credentials work'),
  })
  .superRefine((c, ctx) => {
    // Inline files are arguments of the create request; a document sent as-is has no place for them.
    if (c.attachments.mode === 'inline' && c.request.mode !== 'arguments') {
      ctx.addIssue({
        code: 'custom',
        path: ['attachments', 'mode'],
        message: 'inline attachments need request.mode "arguments" (a document is sent as it is)',
      });
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
