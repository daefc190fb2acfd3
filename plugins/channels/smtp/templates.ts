// E-mail templates: nunjucks with autoescape for the HTML part; per-service overrides; compiled once per channel.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { ukDateTime, type NotificationMessage } from '@closeloop/sdk';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export class EmailTemplates {
  private readonly html: nunjucks.Environment;
  /** The text part is not HTML: rendered without escaping. */
  private readonly text: nunjucks.Environment;
  private readonly dir: string;

  constructor(templatesDir: string) {
    this.dir = resolve(templatesDir);
    this.html = new nunjucks.Environment(new nunjucks.FileSystemLoader(this.dir), { autoescape: true });
    this.text = new nunjucks.Environment(new nunjucks.FileSystemLoader(this.dir), { autoescape: false });
    // `ukdate` gives "1 October 2026 at 2:05pm" (UK time), as the tracking page does.
    for (const env of [this.html, this.text]) env.addFilter('ukdate', (iso: string) => ukDateTime(iso));
  }

  render(message: NotificationMessage): RenderedEmail {
    const kind = message.kind;
    const pick = (name: string) => (existsSync(resolve(this.dir, message.serviceId, name)) ? `${message.serviceId}/${name}` : name);
    const context = { ...message, service: message.serviceTitle, noun: message.serviceNoun };
    return {
      subject: this.text
        .render(pick(`${kind}.subject.njk`), context)
        .replace(/\s+/g, ' ')
        .trim(),
      html: this.html.render(pick(`${kind}.html.njk`), context),
      text: this.text.render(pick(`${kind}.text.njk`), context),
    };
  }
}
