// The citizen's view of their process through the secret tracking token (JSON; the HTML page is in pages/).
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { trackingView } from '../../processes/index.ts';
import { defineRoute } from '../route.ts';
import { trackingLimiter } from '../rate-limit.ts';
import { trackingView as trackingSchema } from '../schemas.ts';

export function trackRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/track/{token}',
      operationId: 'track',
      summary: "A citizen's view of their process",
      description: 'Reference, service, status, tasks and the citizen-visible timeline. Private notes and back-office data are never included.',
      tags: ['Tracking'],
      auth: 'public',
      params: z.object({ token: z.string().describe('The secret token from the tracking link') }),
      responses: {
        200: { description: 'The process as the citizen sees it', schema: trackingSchema },
        429: { description: 'Too many unknown tracking links from this address; see Retry-After' },
      },
      async handler(ctx, { params }) {
        const view = await trackingView(hub.db, hub.catalogue, params.token);
        // Only misses are counted (a hit costs no Redis round trip); past the limit a miss is 429, so guessing stops.
        if (!view) {
          await trackingLimiter(hub).failOrRefuse(ctx.ip);
          throw new NotFoundError('There is no process for this tracking link');
        }
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Referrer-Policy', 'no-referrer');
        // The place is for the page (words and map); the API's answer stays as documented.
        const { place: _place, ...json } = view;
        ctx.body = json;
      },
    }),
  ];
}
