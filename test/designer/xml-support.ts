// The "Report a dead animal" draft the XML mapping tests design (its questions; the XSD is test/fixtures/xsd/dead-animal.xsd).
import type { DraftDefinition } from '../../core/designer/drafts.ts';

export function deadAnimalDefinition(id: string): DraftDefinition {
  return {
    id,
    title: 'Report a dead animal',
    referencePrefix: 'DAN',
    fields: [
      {
        id: 'species',
        type: 'radios',
        label: 'What kind of animal is it?',
        options: [
          { value: 'dog', label: 'Dog' },
          { value: 'cat', label: 'Cat' },
          { value: 'fox', label: 'Fox' },
          { value: 'other', label: 'Something else' },
        ],
      },
      { id: 'location', type: 'address', label: 'Where is the animal?' },
      { id: 'fullName', type: 'text', label: 'Full name', maxLength: 100 },
      { id: 'photos', type: 'file', label: 'Photos', required: false, accept: ['image/jpeg'] },
    ],
    tasks: [{ key: 'collect', title: 'Collect the animal' }],
  };
}
