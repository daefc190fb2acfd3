// E-mail templates: nunjucks with autoescape for the HTML part; per-service overrides; compiled once per channel.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { messageText, plainTextToHtml, ukDateTime, type NotificationMessage } from '@closeloop/sdk';

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
  /** Which template files exist, looked up once: nunjucks compiles each template once too, so a change of template
   * files takes a restart either way (the lookups were a file-system call per part of every e-mail). */
  private readonly present = new Map<string, boolean>();

  constructor(templatesDir: string) {
    this.dir = resolve(templatesDir);
    this.html = new nunjucks.Environment(new nunjucks.FileSystemLoader(this.dir), { autoescape: true });
    this.text = new nunjucks.Environment(new nunjucks.FileSystemLoader(this.dir), { autoescape: false });
    // `ukdate` gives "1 October 2026 at 2:05pm" (UK time), as the tracking page does.
    for (const env of [this.html, this.text]) env.addFilter('ukdate', (iso: string) => ukDateTime(iso));
  }

  render(message: NotificationMessage): RenderedEmail {
    // A service that words this message itself (in its definition) is sent that wording, before any template file.
    if (message.texts?.subject !== undefined || message.texts?.body !== undefined) return ownWording(message);
    const kind = message.kind;
    // Template folders made before the saved-form e-mail existed have no template for it: the hub's own wording then.
    // Likewise the "received and passed to the team" confirmation (notifications.confirmationWindowSeconds).
    if ((kind === 'saved-form' || kind === 'submitted-received') && !this.has(`${kind}.html.njk`)) return ownWording(message);
    const pick = (name: string) => (this.has(`${message.serviceId}/${name}`) ? `${message.serviceId}/${name}` : name);
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

  private has(file: string): boolean {
    let known = this.present.get(file);
    if (known === undefined) {
      known = existsSync(resolve(this.dir, file));
      this.present.set(file, known);
    }
    return known;
  }
}

/** The service's own wording: the text part as written (placeholders filled), the HTML part made from it, escaped. */
function ownWording(message: NotificationMessage): RenderedEmail {
  const text = messageText(message, 'body');
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="margin:0;padding:0;font-family:Arial,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;background:#ffffff">',
    `<div style="background:#0b0c0c;color:#ffffff;padding:15px 20px;font-weight:bold">${escape(message.council.name)}</div>`,
    `<div style="max-width:580px;padding:20px">${plainTextToHtml(text, message.trackingUrl)}</div>`,
    '</body>',
    '</html>',
  ].join('\n');
  return { subject: messageText(message, 'subject').replace(/\s+/g, ' ').trim(), text, html };
}
