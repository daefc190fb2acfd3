// What the citizen form's pages need from where they are served (the citizen's /services/{id}, the designer's "try it"),
// and what one question page's post brought. Its own file so the flow and its steps (the address finder) share it.
import type { Context } from 'koa';
import type { FileField, ServiceVersion } from '../../services/index.ts';
import type { FormSession, SentForm, SessionFile, SessionPlace } from '../../forms/session.ts';
import type { ConfirmationNotice } from '../../forms/confirmation.ts';
import type { MultipartResult } from '../multipart.ts';
import type { Council } from '../pages/index.ts';
import type { FormPage } from '../../forms/pages.ts';

/** What one post of a question page brought: its fields and the files kept (or noted) for its file questions. */
export interface PostedPage {
  fields: Record<string, string | string[]>;
  files: SessionFile[];
  refused: MultipartResult['refused'];
  tooManyFiles: boolean;
  /** Forgets this post's files (the page is shown again with errors, or the form was sent meanwhile). */
  discard(): Promise<void>;
}

/** Where a form's pages live and what they do with the answers. */
export interface FormHost {
  /** The router path of the start page, with `:serviceId`, e.g. "/services/:serviceId". */
  route: string;
  /** The start page's address for one service. */
  base(serviceId: string): string;
  /** The definition the pages are built from. Throws NotFoundError when there is none. */
  service(ctx: Context, serviceId: string): Promise<ServiceVersion>;
  /** The council the form is for: its branding, and (id) whose address list the address questions search. */
  council(sv: ServiceVersion): Council & { id: string };
  /** The browser's form session: its cookie and the key its row is stored under. */
  sessions: { place: SessionPlace; key(serviceId: string): string };
  /** More for the layout (the designer's preview banner). */
  view(ctx: Context, sv: ServiceVersion): Record<string, unknown>;
  /** Where a question page posts to. */
  pageAction(ctx: Context, base: string, pageId: string, change: boolean): string;
  /** Checks a question page's CSRF token before anything of its body is read or stored. */
  checkPageCsrf(ctx: Context): void;
  /** Reads a question page's post. Throws BodyTooLargeError for a body over the limit. */
  readPage(ctx: Context, fileFields: Map<string, FileField>): Promise<PostedPage>;
  /** Reads a small url-encoded form (the address finder's steps), after checkPageCsrf. */
  readForm(ctx: Context): Promise<Record<string, string | undefined>>;
  /** Reads the "Accept and send" post, checking its CSRF token. */
  checkSend(ctx: Context): Promise<void>;
  /** The token the check-your-answers form carries. */
  csrf(ctx: Context): string;
  /** Sends the claimed answers; throws ValidationError when they no longer pass. */
  send(ctx: Context, sv: ServiceVersion, session: FormSession): Promise<SentForm>;
  /** What the confirmation page says about the confirmation message. */
  notice(result: SentForm): Promise<ConfirmationNotice | null>;
  /**
   * Where "Save and come back later" leads once the page's answers are kept (the page's id as `from`), or null when the
   * form does not offer it (absent: never).
   */
  saveAndReturn?(sv: ServiceVersion, pageId: string): string | null;
  /** Where the form goes once a page is answered whose place is outside the council's area (absent or null: on). */
  outsideArea?(sv: ServiceVersion, page: FormPage, answers: Record<string, unknown>): string | null;
}
