// What a browser would post from a page's form: its text inputs and textareas with their values, the radios and
// checkboxes that are checked, each select's selected option. A small reader for the server-rendered GOV.UK markup (no script, well-formed tags).
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&#x2F;': '/' };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27|#x2F);/g, (m) => ENTITIES[m] ?? m);
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
}

/** The fields of the form posting to `action` (the first form when not given). */
export function formFields(html: string, action?: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b[^>]*>([^]*?)<\/form>/g)];
  const form = action ? forms.find((f) => attr(f[0].slice(0, f[0].indexOf('>') + 1), 'action') === action) : forms[0];
  if (!form) throw new Error(`no form ${action ?? ''} on the page`);
  const body = form[1]!;
  const out: Record<string, string> = {};
  for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    if (!name) continue;
    const type = attr(tag, 'type') ?? 'text';
    if ((type === 'radio' || type === 'checkbox') && !/\schecked\b/.test(tag)) continue;
    if (!(name in out)) out[name] = attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '');
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([^]*?)<\/textarea>/g)) {
    const name = attr(m[1]!, 'name');
    // A browser drops one newline right after <textarea>.
    if (name && !(name in out)) out[name] = decode(m[2]!.replace(/^\r?\n/, ''));
  }
  // A select sends its selected option (the first when none is marked).
  for (const m of body.matchAll(/<select\b([^>]*)>([^]*?)<\/select>/g)) {
    const name = attr(m[1]!, 'name');
    const options = [...m[2]!.matchAll(/<option\b[^>]*>/g)].map((o) => o[0]);
    const chosen = options.find((o) => /\sselected\b/.test(o)) ?? options[0];
    if (name && chosen && !(name in out)) out[name] = attr(chosen, 'value') ?? '';
  }
  return out;
}
