// What a browser would send for a form of a page, read from its HTML: every input's value (checked radios and
// checkboxes only), every textarea's text (without the one leading newline browsers drop) and each select's selected
// option. Enough for the designer's round-trip tests, which submit each form back unchanged.
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (ENTITIES[name] !== undefined) return ENTITIES[name]!;
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return all;
  });
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
}

/** The fields of the form posting to `action` (the first form when absent), as a browser would submit them. */
export function formValues(html: string, action?: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b([^>]*)>([^]*?)<\/form>/g)];
  const form = action ? forms.find((f) => attr(f[1]!, 'action') === action) : forms[0];
  if (!form) throw new Error(`no form ${action ?? ''} on the page`);
  const body = form[2]!;
  const values: Record<string, string> = {};
  for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || ['submit', 'button', 'file'].includes(type)) continue;
    if ((type === 'radio' || type === 'checkbox') && !/\schecked\b/.test(tag)) continue;
    if (!(name in values)) values[name] = attr(tag, 'value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([^]*?)<\/textarea>/g)) {
    const name = attr(m[1]!, 'name');
    if (name) values[name] = decode(m[2]!.replace(/^\r?\n/, ''));
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([^]*?)<\/select>/g)) {
    const name = attr(m[1]!, 'name');
    if (!name) continue;
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>([^]*?)<\/option>/g)];
    const chosen = options.find((o) => /\sselected\b/.test(o[1]!)) ?? options[0];
    if (chosen) values[name] = attr(chosen[1]!, 'value') ?? decode(chosen[2]!.trim());
  }
  return values;
}
