// The example config wired to back offices (config/examples/alloy-soap): what its Alloy binding names, so the Alloy fake
// can hold exactly the designs and attributes the example expects.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const EXAMPLE_CONFIG = 'config/examples/alloy-soap/closeloop.yaml';
const example = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as { bindings: { 'alloy-envhealth': { config: Record<string, any> } } };
export const alloyExample = example.bindings['alloy-envhealth'].config;

/** Every design and attribute code the example's Alloy binding names. */
export function exampleAlloyDesigns(): { code: string; attributes: string[] }[] {
  const common = [
    ...alloyExample.attributes.map((a: { attributeCode: string }) => a.attributeCode),
    alloyExample.deliveryIdAttribute,
    alloyExample.attachmentsAttribute,
    alloyExample.status.attribute,
    alloyExample.closureReason.attribute,
    ...(alloyExample.updates ? [alloyExample.updates.commentAttribute] : []),
  ];
  const byDesign = new Map<string, Set<string>>([[alloyExample.designCode, new Set(common)]]);
  for (const s of Object.values(alloyExample.services) as { designCode?: string; attributes: { attributeCode: string }[] }[]) {
    const code = s.designCode ?? alloyExample.designCode;
    const set = byDesign.get(code) ?? new Set(common);
    for (const a of s.attributes) set.add(a.attributeCode);
    byDesign.set(code, set);
  }
  return [...byDesign].map(([code, attrs]) => ({ code, attributes: [...attrs] }));
}
