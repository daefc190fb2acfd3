// A simple type of an XSD as the mapping editor shows it: the built-in type it comes from and its facets, and the
// mapping format an answer needs to fit it.

export interface SimpleTypeInfo {
  /** The built-in type it comes from: "string", "date", "dateTime", "boolean", "decimal", "integer"… */
  builtin: string;
  /** The named type, when it has one ("CaseReference", "xs:date"). */
  name: string | null;
  enumeration: string[];
  pattern: string[];
  minLength?: number;
  maxLength?: number;
  minInclusive?: string;
  maxInclusive?: string;
}

export function builtinInfo(name: string): SimpleTypeInfo {
  return { builtin: name, name: `xs:${name}`, enumeration: [], pattern: [] };
}

/** The mapping format a simple type needs from an answer ("date" for xs:date…), if any. */
export function formatFor(simple: SimpleTypeInfo | null): 'date' | 'datetime' | 'boolean' | 'integer' | null {
  if (!simple) return null;
  if (simple.builtin === 'date') return 'date';
  if (simple.builtin === 'dateTime') return 'datetime';
  if (simple.builtin === 'boolean') return 'boolean';
  if (/^(integer|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong|unsignedShort)$/.test(simple.builtin)) return 'integer';
  return null;
}
