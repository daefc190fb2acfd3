// A browser without JavaScript, over plain HTTP: keeps cookies, reads each page's form action (with its CSRF token) and
// posts what a citizen would type and choose. For tests that walk the citizen pages many times or race two requests.
import assert from 'node:assert/strict';

export interface PageResponse {
  status: number;
  html: string;
  location: string | null;
  headers: Headers;
}

export interface UploadPart {
  field: string;
  filename: string;
  bytes: Buffer;
  type: string;
}

export class FormClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  private headers(): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html' };
  }

  private async keep(res: Response): Promise<PageResponse> {
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      this.cookies.set(kv!.slice(0, i), kv!.slice(i + 1));
    }
    return { status: res.status, html: await res.text(), location: res.headers.get('location'), headers: res.headers };
  }

  async get(path: string): Promise<PageResponse> {
    return this.keep(await fetch(`${this.baseUrl}${path}`, { headers: this.headers(), redirect: 'manual' }));
  }

  /** The action of the page's form, as a browser would post to it. */
  async actionOf(path: string): Promise<string> {
    const page = await this.get(path);
    assert.equal(page.status, 200, `${path}: ${page.status} ${page.html.slice(0, 300)}`);
    return /<form[^>]*action="([^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
  }

  /** Posts a question page's form (multipart, as the page's form does). */
  async postTo(action: string, fields: Record<string, string | string[]>, files: UploadPart[] = []): Promise<PageResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.filename);
    return this.keep(await fetch(`${this.baseUrl}${action}`, { method: 'POST', headers: this.headers(), body: form, redirect: 'manual' }));
  }

  /** Opens a question page and answers it. */
  async answer(path: string, fields: Record<string, string | string[]>, files: UploadPart[] = []): Promise<PageResponse> {
    return this.postTo(await this.actionOf(path), fields, files);
  }

  /** "Accept and send" on the check your answers page. */
  async send(serviceId: string): Promise<PageResponse> {
    const page = await this.get(`/services/${serviceId}/check-answers`);
    assert.equal(page.status, 200, `check-answers: ${page.status} ${page.location ?? ''}`);
    return this.sendWith(serviceId, /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
  }

  /** Posts "Accept and send" with a token read earlier (a second click, a form re-posted later). */
  async sendWith(serviceId: string, csrf: string): Promise<PageResponse> {
    return this.keep(
      await fetch(`${this.baseUrl}/services/${serviceId}/check-answers`, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }).toString(),
        redirect: 'manual',
      }),
    );
  }

  /** Posts a plain (urlencoded) form, as the save page and the saved-form link's Continue do. */
  async postForm(path: string, fields: Record<string, string>): Promise<PageResponse> {
    return this.keep(
      await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      }),
    );
  }

  /** Opens a page with a form and answers the CSRF token forms carry (the value of this browser's CSRF cookie). */
  async csrfOf(path: string): Promise<string> {
    await this.get(path);
    const token = this.cookies.get('closeloop_csrf');
    assert.ok(token, `${path} gave no CSRF cookie`);
    return token;
  }

  async csrfOfCheckAnswers(serviceId: string): Promise<string> {
    const page = await this.get(`/services/${serviceId}/check-answers`);
    return /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  }
}

/** The error summary's entries and the inline error messages of a page, as text. */
export function errorsOf(html: string): { summary: string[]; inline: string[] } {
  const summaryHtml = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  const text = (s: string) =>
    decode(
      s
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  const summary = [...summaryHtml.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]!));
  const inline = [...html.matchAll(/<p id="[^"]*-error" class="govuk-error-message">([\s\S]*?)<\/p>/g)].map((m) => text(m[1]!).replace(/^Error: /, ''));
  return { summary, inline };
}

/** The text of the first h1. */
export function headingOf(html: string): string {
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '';
  return decode(
    h1
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** Undoes nunjucks' HTML escaping. */
export function decode(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
