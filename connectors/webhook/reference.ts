// Reads the back office's own reference from its answer: a header, a JSON path or an XPath.
import type { HttpAnswer } from '@closeloop/sdk';
import { parseXmlSafely, selectText } from '@closeloop/sdk/xml';
import type { WebhookConfig } from './config.ts';

export function extractReference(spec: WebhookConfig['reference'], res: HttpAnswer): string | undefined {
  if (!spec) return undefined;
  if ('header' in spec) {
    const v = res.headers[spec.header.toLowerCase()];
    return (Array.isArray(v) ? v[0] : v)?.slice(0, 200) || undefined;
  }
  const text = res.body.toString('utf8');
  if ('jsonPath' in spec) {
    try {
      let node: unknown = JSON.parse(text);
      for (const key of spec.jsonPath.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      return node === undefined || node === null || typeof node === 'object' ? undefined : String(node).slice(0, 200);
    } catch {
      return undefined;
    }
  }
  try {
    return selectText(parseXmlSafely(text), spec.xpath, spec.namespaces)?.slice(0, 200) || undefined;
  } catch {
    return undefined;
  }
}
