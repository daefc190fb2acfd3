// Reads an HTML form's fields as a browser would post them (test support for the mapping editor's round trip): hidden
// and text inputs, checked radios and checkboxes, each select's selected option (or its first), textareas.
export function formFields(html: string, actionIncludes: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => decode(/action="([^"]*)"/.exec(f[1]!)?.[1] ?? '').includes(actionIncludes));
  if (!form) throw new Error(`no form posting to ${actionIncludes}`);
  const body = form[2]!;
  const fields: Record<string, string> = {};
  const add = (name: string | undefined, value: string) => {
    if (name && !(name in fields)) fields[name] = value;
  };
  for (const m of body.matchAll(/<input\b([^>]*)>/g)) {
    const a = attrs(m[1]!);
    const type = a.type ?? 'text';
    if (type === 'file' || type === 'submit') continue;
    if ((type === 'radio' || type === 'checkbox') && !('checked' in a)) continue;
    add(a.name, a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : ''));
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>/g)].map((o) => attrs(o[1]!));
    const chosen = options.find((o) => 'selected' in o) ?? options[0];
    add(attrs(m[1]!).name, chosen?.value ?? '');
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) add(attrs(m[1]!).name, decode(m[2]!.replace(/^\n/, '')));
  return fields;
}

function attrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_:][\w:.-]*)(?:="([^"]*)")?/g)) out[m[1]!] = decode(m[2] ?? '');
  return out;
}

export function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&#x2F;/g, '/')
    .replace(/&amp;/g, '&');
}
