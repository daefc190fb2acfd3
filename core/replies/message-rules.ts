// What a citizen's message may carry: text up to a limit, and files by the service's own file rules (the types its
// file questions accept, up to the largest size they allow), at most `maxFiles` at once. A service without a file
// question still takes the usual evidence: photos and PDFs up to 10 MB.
import type { ServiceDefinition } from '../services/index.ts';
import { fileSizeText, uploadTypeNames } from '../services/index.ts';

export const MESSAGE_MAX_CHARS = 1200;

const DEFAULT_ACCEPT = ['image/jpeg', 'image/png', 'application/pdf'];
const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;

export interface MessageRules {
  maxChars: number;
  accept: string[];
  maxSize: number;
  maxFiles: number;
}

export function messageRules(definition: Pick<ServiceDefinition, 'fields'>, maxFiles: number): MessageRules {
  const files = definition.fields.filter((f) => f.type === 'file');
  if (!files.length) return { maxChars: MESSAGE_MAX_CHARS, accept: DEFAULT_ACCEPT, maxSize: DEFAULT_MAX_SIZE, maxFiles };
  return {
    maxChars: MESSAGE_MAX_CHARS,
    accept: [...new Set(files.flatMap((f) => f.accept))],
    maxSize: Math.max(...files.map((f) => f.maxSize)),
    maxFiles,
  };
}

/** GOV.UK's wording for each problem a message can have. */
export const messageErrors = {
  empty: () => 'Enter a message or select a file',
  tooLong: (r: MessageRules) => `Your message must be ${r.maxChars.toLocaleString('en-GB')} characters or less`,
  fileType: (r: MessageRules) => {
    const names = uploadTypeNames(r.accept);
    return `The selected file must be a ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]}`;
  },
  fileSize: (r: MessageRules) => `The selected file must be smaller than ${fileSizeText(r.maxSize)}`,
  tooManyFiles: (r: MessageRules) => `You can only select up to ${r.maxFiles} files at the same time`,
  bodyTooLarge: () => 'The selected files are too large to send together: send fewer files at a time',
};
