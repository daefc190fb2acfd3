// Reads an HTML form's fields as a browser would send them, from the page's own markup: inputs (checkboxes and radios
// only when checked), textareas and selected options. The designer's round-trip tests post a page back unchanged with it.

function decode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decode(m[1]!) : undefined;
}

/** The fields of the form whose action is `action` (the first form when not given). Repeated names: first value kept. */
export function formValues(html: string, action?: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const form = action ? forms.find((f) => attr(/<form\b[^>]*>/i.exec(f)![0], 'action') === action) : forms[0];
  if (!form) throw new Error(`no form with action ${action}`);
  const out: Record<string, string> = {};
  const set = (name: string | undefined, value: string) => {
    if (name && !(name in out)) out[name] = value;
  };
  for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
    const type = (attr(tag, 'type') ?? 'text').toLowerCase();
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/i.test(tag)) continue;
    if (type === 'submit' || type === 'button' || type === 'file') continue;
    set(attr(tag, 'name'), attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : ''));
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    // A browser drops one line break right after <textarea>.
    set(attr(m[1]!, 'name'), decode(m[2]!.replace(/^\r?\n/, '')));
  }
  return out;
}
