// The location question's component: the map (an enhancement, only when the council configures tiles), the written
// description and the nearest street (the path that always works), the addresses found for that street, and the
// "Nearest address" confirmation before the answer is kept.
import type { Field } from '../../services/index.ts';
import type { LocationMap } from './map.ts';

/** What the page holds between its steps (posted back as it is), or the stored answer. */
export interface LocationPageValue {
  latitude?: string | number;
  longitude?: string | number;
  description?: string;
  street?: string;
  uprn?: string;
  /** The addresses found for `street`, to choose the nearest from. */
  choices?: { uprn: string; label: string }[];
  /** Set when the page asks the citizen to confirm: the provider's nearest address (null: none near). */
  confirming?: { nearest: string | null; token: string };
  nearest?: { label: string };
}

export function locationComponent(
  field: Extract<Field, { type: 'location' }>,
  value: unknown,
  errors: Map<string, string>,
  asPageHeading: boolean,
  map: LocationMap | null,
): { macro: 'location'; params: Record<string, unknown> } {
  const v = (value && typeof value === 'object' ? value : {}) as LocationPageValue;
  const error = (key?: string) => {
    const message = errors.get(key ? `${field.id}.${key}` : field.id);
    return message ? { text: message } : undefined;
  };
  return {
    macro: 'location',
    params: {
      id: field.id,
      legend: asPageHeading
        ? { text: field.label, isPageHeading: true, classes: 'govuk-fieldset__legend--l' }
        : { text: field.label, classes: 'govuk-fieldset__legend--s' },
      hint: field.hint,
      errorMessage: error() ?? error('latitude') ?? error('easting'),
      map,
      latitude: v.latitude === undefined ? '' : String(v.latitude),
      longitude: v.longitude === undefined ? '' : String(v.longitude),
      description: v.description ?? '',
      descriptionError: error('description'),
      street: v.street ?? '',
      streetError: error('street'),
      choices: (v.choices ?? []).map((c) => ({ value: c.uprn, text: c.label, checked: c.uprn === v.uprn })),
      uprn: v.uprn ?? '',
      uprnError: error('uprn'),
      confirming: v.confirming ?? null,
      nearest: v.nearest?.label ?? null,
    },
  };
}
