// A test service with every newer part of the definition language (issue 20): routing by answer (goTo), a content
// page with a warning, money, an "add another" list, an exit page and a declaration; in a copy of the example config.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const SERVICE = 'blocked-drain';
export const PAGES = `/services/${SERVICE}`;

/** Pages: where → safety (content) → cost (money) → people (list) → agree (declaration); "In the road" leads to the
 * exit page publicSewer, "A shared drain" straight to people. */
export const DEFINITION = {
  id: SERVICE,
  title: 'Report a blocked drain',
  noun: 'blocked drain report',
  referencePrefix: 'DRN',
  category: 'waste-and-streets',
  fields: [
    {
      id: 'where',
      type: 'radios',
      label: 'Where is the blockage?',
      options: [
        { value: 'garden', label: 'In my garden' },
        { value: 'road', label: 'In the road', goTo: 'publicSewer' },
        { value: 'shared', label: 'A drain shared with neighbours', goTo: 'people' },
      ],
    },
    {
      id: 'safety',
      type: 'content',
      label: 'Before you go on',
      hint: 'Read this first',
      body: 'Keep children and pets away from the drain.\n\nDo not lift drain covers yourself.',
      warning: 'If sewage is coming into your home, call the water company now.',
    },
    { id: 'cost', type: 'money', label: 'How much did you pay a contractor?', errorName: 'how much you paid', min: 1, max: 5000 },
    {
      id: 'people',
      type: 'list',
      label: 'Who else is affected?',
      hint: 'Add everyone who lives at the property',
      itemName: 'person',
      required: true,
      maxItems: 3,
      fields: [
        { id: 'name', type: 'text', label: 'Full name', errorName: 'the full name' },
        { id: 'age', type: 'number', label: 'Age (optional)', errorName: 'the age', required: false, integer: true },
        { id: 'since', type: 'date', label: 'When were they first affected? (optional)', errorName: 'the date they were first affected', required: false },
      ],
    },
    {
      id: 'publicSewer',
      type: 'exit',
      label: 'Contact your water company',
      body: 'Blocked drains in the road are public sewers.\n\nYour water company clears them: call them on 0800 000 0000.',
    },
    {
      id: 'agree',
      type: 'declaration',
      label: 'Declaration',
      body: 'We may share what you tell us with the water company.',
      confirm: 'I confirm the information I have given is correct',
    },
  ],
  tasks: [{ key: 'inspect', title: 'Inspect' }],
};

export interface GrowthConfig {
  configFile: string;
  remove(): void;
}

/** A copy of config/ with the blocked-drain service added. */
export function growthConfig(): GrowthConfig {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-growth-'));
  cpSync('config', dir, { recursive: true });
  writeFileSync(join(dir, 'services', `${SERVICE}.yaml`), stringify(DEFINITION));
  return { configFile: join(dir, 'closeloop.yaml'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
