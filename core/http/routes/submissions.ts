// Citizens (or a council's own front end) submit a service's answers, as JSON or as multipart with evidence files.
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { addressFinder } from '../../address/index.ts';
import { onceEachUprn, submit, withAddressesOfUprns } from '../../processes/index.ts';
import { z } from 'zod';
import { UnsupportedMediaTypeError } from '../../errors.ts';
import { discardFiles, parseMultipart } from '../multipart.ts';
import type { UploadedFile } from '../../documents/index.ts';
import { answersFromFormFields } from '../form-fields.ts';
import { checkJsonInput, defineRoute } from '../route.ts';
import { submissionBody, submissionCreated, submissionMultipart } from '../schemas.ts';
import type { ServiceVersion } from '../../services/index.ts';
import { placeSubmission } from '../../boundary/index.ts';

export function submissionRoutes(hub: Hub) {
  const channels = new Set(Object.keys(hub.config.channels));
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/services/{serviceId}/submissions',
      operationId: 'submit',
      summary: 'Submit a service: creates a trackable process',
      description:
        'Send answers as JSON (`{"answers": {...}}`) or as multipart/form-data with evidence files (one part per answer, or one `answers` JSON part, plus file parts named by the file question id; an answer given both ways, or twice, is 422). Text must be UTF-8 (400; another declared charset is 415) without characters XML 1.0 cannot carry (422). Answers are checked against the service definition; 422 lists every problem. A location answer is a point (`easting`/`northing` or `latitude`/`longitude`, in Great Britain; the other system is filled in) or the `uprn` of the nearest address chosen from the council’s gazetteer, with an optional `description`; the hub fills in `nearest` (the provider’s nearest address or street), whatever was sent. An address answer may carry a `uprn`: it must be an address in the council’s gazetteer (422: No address has UPRN …), whose lines, postcode and coordinates then replace those sent (a `uprn` alone is enough); 503 when the address provider cannot be reached. An address’s coordinates must be in Great Britain; given only as easting/northing it gets its latitude/longitude, and the other way round. Files are checked by size (413) and by their real content type (415). Nothing is stored for a rejected submission.',
      tags: ['Submissions'],
      auth: 'public',
      params: z.object({ serviceId: z.string() }),
      body: submissionBody,
      multipart: {
        schema: submissionMultipart,
        description: 'Answers and evidence files',
      },
      bodyExample: {
        answers: {
          noiseType: 'music',
          noiseSource: { line1: '12 High Street', town: 'Exampleton', postcode: 'EX1 2AB' },
          description: 'Loud music every night after midnight.',
        },
      },
      responses: {
        201: {
          description: 'Accepted: the process exists',
          schema: submissionCreated,
          example: {
            processId: '5b0e8a4c-0d6f-4d8a-9a43-8f0f2b1d1c11',
            reference: 'NOI-7KX3M9QP',
            trackingUrl: 'https://closeloop.example.gov.uk/track/Q2hhbmdlIG1lIHRvIGEgcmVhbCB0b2tlbiBwbGVhc2U',
          },
        },
        422: {
          description:
            "The answers are not valid (`errors` lists each: `field` is the question id, or `list.index.question` for an item of an \"add another\" list, e.g. `people.1.name`; answers that lead to an exit page give one error whose `field` is the exit page's id and whose `message` is its heading), or the place they give (the coordinates of the form's first address or location question; an answer given only as a `uprn` is placed by that address's coordinates) is outside the council's area: then `outsideArea` says whose area it is not (`council`), who to contact instead when that is known (`contact`: `name`, `url`) and every authority the council sends citizens to (`neighbours`). A service shared by several councils (`routeByBoundary`) becomes the case of the council whose area holds the place.",
        },
      },
      async handler(ctx, { params, body }) {
        const service = hub.catalogue.get(params.serviceId);
        // A JSON body was checked by its schema when the route was entered; multipart is read (and checked) here.
        const { answers, files } = body ? { answers: body.answers, files: [] } : await readSubmission(hub, ctx, service);
        try {
          const addresses = onceEachUprn(() => addressFinder(hub, hub.councils.idOfService(hub.catalogue, service.serviceId)));
          // An address, or a location without a pin, given by UPRN is placed by the provider's coordinates for it.
          const located = await withAddressesOfUprns(service.definition, answers, addresses);
          // The place must be in the council's area; a service shared by councils becomes the case of the one whose it is.
          const placed = placeSubmission(hub, service, located);
          const calendar = hub.councils.calendarOf(hub.catalogue, placed.serviceId);
          const result = await submit(
            {
              db: hub.db,
              store: hub.store,
              publicBaseUrl: hub.config.server.publicBaseUrl,
              channels,
              calendar,
              confirmationWindowSeconds: hub.config.notifications.confirmationWindowSeconds,
              addresses,
            },
            { service: placed, answers: located, files },
          );
          ctx.status = 201;
          ctx.set('Location', `/api/v1/processes/${result.processId}`);
          ctx.body = { processId: result.processId, reference: result.reference, trackingUrl: result.trackingUrl };
        } catch (err) {
          await discardFiles(hub.store, files);
          throw err;
        }
      },
    }),
  ];
}

async function readSubmission(hub: Hub, ctx: Context, service: ServiceVersion): Promise<{ answers: Record<string, unknown>; files: UploadedFile[] }> {
  if (ctx.is('multipart/form-data')) {
    const limits = hub.config.server.limits;
    const fileFields = new Map(service.definition.fields.filter((f) => f.type === 'file').map((f) => [f.id, f]));
    const { fields, files } = await parseMultipart(
      ctx.req,
      hub.store,
      (name) => {
        const f = fileFields.get(name);
        return f && f.type === 'file' ? { accept: f.accept, maxSize: f.maxSize } : null;
      },
      { totalBytes: limits.multipartBytes, files: limits.files },
    );
    try {
      const answers = answersFromFormFields(fields);
      // The same refusals as a JSON body: text XML cannot carry (NUL, lone surrogates…), hostile nesting, duplicate keys in the answers part.
      checkJsonInput(answers, typeof fields.answers === 'string' ? fields.answers : undefined, []);
      return { answers, files };
    } catch (err) {
      await discardFiles(hub.store, files);
      throw err;
    }
  }
  throw new UnsupportedMediaTypeError('Send application/json or multipart/form-data');
}
