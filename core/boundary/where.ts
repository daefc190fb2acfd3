// Where a case happened, for people to read (issue 19): the place the answers give (see placement.ts) in words — the
// address lines and postcode, or the description and "Near <nearest address>" of a location — and its point when known.
import type { Field } from '../services/index.ts';
import type { Point } from './boundaries.ts';
import { placeOfAnswers } from './placement.ts';

export interface Where {
  /** The place in words, one line each; never empty. */
  lines: string[];
  point?: Point;
}

const ADDRESS_LINES = ['line1', 'line2', 'town', 'postcode'] as const;

/** The service's place in the answers, or undefined when they give none (or nothing that can be shown). */
export function whereOf(fields: readonly Field[], answers: Record<string, unknown>): Where | undefined {
  const place = placeOfAnswers(fields, answers);
  if (!place) return undefined;
  const value = answers[place.fieldId];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const type = fields.find((f) => f.id === place.fieldId)?.type;
  const lines = type === 'address' ? ADDRESS_LINES.map((k) => text(v[k])).filter((s) => s !== '') : locationLines(v);
  if (!lines.length && place.point) lines.push(`Latitude ${place.point.latitude.toFixed(5)}, longitude ${place.point.longitude.toFixed(5)}`);
  if (!lines.length) return undefined;
  return { lines, ...(place.point ? { point: place.point } : {}) };
}

/** A location answer: what the citizen wrote, then the nearest address the hub found. */
function locationLines(v: Record<string, unknown>): string[] {
  const nearest = typeof v.nearest === 'object' && v.nearest !== null ? text((v.nearest as Record<string, unknown>).label) : '';
  return [text(v.description), nearest && `Near ${nearest}`].filter((s) => s !== '');
}

function text(x: unknown): string {
  return typeof x === 'string' ? x.trim() : '';
}
