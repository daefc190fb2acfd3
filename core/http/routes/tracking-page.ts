// The tracking page's body with its "Where" section: the place in words and, with the council's tiles, a static map
// (the response's CSP then allows images from the tile host, and only it).
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import type { TrackingView } from '../../processes/index.ts';
import { renderTrackingPage, type Council, type MessageFormView } from '../pages/index.ts';
import { allowWhereMap, whereSection } from '../where-section.ts';

export function trackingPageBody(ctx: Context, hub: Hub, council: Council & { id: string }, view: TrackingView, messageForm?: MessageFormView): string {
  const where = whereSection(hub.config, council.id, view.place);
  allowWhereMap(ctx, where);
  return renderTrackingPage(council, view, messageForm, where);
}
