// Citizen pages: tracking page, services index, 404 and error pages.
import type { TrackingView } from '../../processes/views.ts';
import type { WhereSection } from '../where-section.ts';
import type { HubPages } from '@closeloop/sdk';
import { renderPage, renderPluginPage } from './renderer.ts';

export { renderPage } from './renderer.ts';
export { assetsMiddleware } from './assets.ts';

export const STATUS_LABELS: Record<string, string> = {
  submitted: 'Sent',
  received: 'Received',
  in_progress: 'In progress',
  completed: 'Completed',
  closed: 'Closed',
};

export const TASK_LABELS: Record<string, string> = {
  open: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Not needed',
};

export interface Council {
  name: string;
  /** Served by the hub (same origin: the CSP allows images from 'self' only). */
  logoUrl?: string;
}

/** The tracking page's "Send a message or add evidence" form (absent once the case is closed). */
export interface MessageFormView {
  action: string;
  maxChars: number;
  maxFiles: number;
  /** What the citizen may attach, in words ("JPG, PNG or PDF, smaller than 10MB"). */
  filesHint: string;
  /** What the citizen typed, shown again with the errors. */
  text?: string;
  errors?: { field: 'message' | 'files'; message: string }[];
  /** The message just went (after the redirect). */
  sent?: boolean;
}

/** `where`: the place in words and on the map (see where-section.ts), when the answers give one. */
export function renderTrackingPage(council: Council, view: TrackingView, messageForm?: MessageFormView, where?: WhereSection): string {
  const errors = messageForm?.errors ?? [];
  return renderPage('tracking.njk', {
    council,
    title: `${errors.length ? 'Error: ' : ''}${view.reference} – ${view.serviceTitle}`,
    serviceName: view.serviceTitle,
    view,
    statusLabels: STATUS_LABELS,
    taskLabels: TASK_LABELS,
    messageForm,
    where,
    errorSummary: errors.map((e) => ({ text: e.message, href: `#${e.field}` })),
    errorOf: Object.fromEntries(errors.map((e) => [e.field, { text: e.message }])),
  });
}

export function renderNotFoundPage(council: Council): string {
  return renderPage('not-found.njk', { council, title: 'Page not found' });
}

export function renderErrorPage(council: Council, heading: string, message: string): string {
  return renderPage('error.njk', { council, title: heading, heading, message });
}

/** The home page's catalogue: per council (`council` null when only one council's services are listed), per category. */
export interface ServicesIndexSection {
  council: string | null;
  categories: { label: string; services: { id: string; title: string; description?: string }[] }[];
}

export function renderServicesIndex(council: Council, sections: ServicesIndexSection[]): string {
  return renderPage('services-index.njk', { council, title: 'Online services', sections });
}

/** Pages in the hub's look for plugins' inbound routes (the sandbox back office), with the council filled in. */
export function pluginPages(council: Council): HubPages {
  return { render: (templatesDir, template, context) => renderPluginPage(templatesDir, template, { council, ...context }) };
}
