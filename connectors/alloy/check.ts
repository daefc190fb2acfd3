// check(): the key works and every design and attribute code the binding names exists in Alloy. Reads only.
import type { CheckResult } from '@closeloop/sdk';
import { FILES_DESIGN, type AlloyClient } from './client.ts';
import { designsOf, mappingFor, type AlloyConfig } from './config.ts';
import { itemsQuery } from './aqs.ts';

export async function checkAlloy(config: AlloyConfig, client: AlloyClient): Promise<CheckResult> {
  const attributesOf = new Map<string, Set<string>>();
  for (const code of designsOf(config)) {
    try {
      const { design } = await client.getDesign(code);
      attributesOf.set(code, new Set((design.attributes ?? []).map((a) => a.code)));
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 401 || status === 403) return { ok: false, problems: ['apiKey: Alloy refused the API key (401/403): check the key and its role'] };
      if (status === 404) return { ok: false, problems: [`designCode: Alloy has no design "${code}"`] };
      return { ok: false, problems: [`baseUrl: Alloy could not be asked: ${(err as Error).message}`] };
    }
  }
  const problems: string[] = [];
  const need = (design: string, field: string, code: string | undefined) => {
    if (code && !attributesOf.get(design)!.has(code)) problems.push(`${field}: design "${design}" has no attribute "${code}"`);
  };
  const shared = (design: string) => {
    need(design, 'deliveryIdAttribute', config.deliveryIdAttribute);
    need(design, 'attachmentsAttribute', config.attachmentsAttribute);
    need(design, 'status.attribute', config.status?.attribute);
    need(design, 'closureReason.attribute', config.closureReason?.attribute);
    need(design, 'updates.commentAttribute', config.updates?.commentAttribute);
  };
  config.attributes.forEach((a, i) => need(config.designCode, `attributes.${i}.attributeCode`, a.attributeCode));
  shared(config.designCode);
  for (const [service, own] of Object.entries(config.services)) {
    const { designCode } = mappingFor(config, service);
    own.attributes.forEach((a, i) => need(designCode, `services.${service}.attributes.${i}.attributeCode`, a.attributeCode));
    if (designCode !== config.designCode) {
      config.attributes.forEach((a, i) => need(designCode, `attributes.${i}.attributeCode`, a.attributeCode));
      shared(designCode);
    }
  }
  // A delivery looks for the files an earlier attempt uploaded: the key's role must be able to read file items.
  if (config.attachmentsAttribute) {
    try {
      await client.query(itemsQuery(FILES_DESIGN, 'Live', []), 1, 1);
    } catch (err) {
      problems.push(`attachmentsAttribute: the API key cannot read Alloy's file items (${FILES_DESIGN}): ${(err as Error).message}`);
    }
  }
  return { ok: problems.length === 0, problems: [...new Set(problems)] };
}
