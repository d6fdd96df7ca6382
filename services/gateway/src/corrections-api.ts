import { z } from 'zod';
import { HttpError, json, jsonBody, parseBody, pathParams, type HttpRoute } from '@switchboard/http';
import type { TeamStore } from '@switchboard/team';
import { CorrectionField, CorrectionReview, type TicketStore } from '@switchboard/ticket-store';
import type { Authenticator } from './people/authenticator.ts';

export const CORRECTIONS_PATH = '/api/v1/corrections';
const CORRECTION_PATH = '/api/v1/corrections/:id';

const CorrectionQuery = z
  .object({
    field: CorrectionField.optional(),
    excluded: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

/** Who reviews is the signed-in person, never what the client says. */
const ReviewBody = CorrectionReview.omit({ by: true });

export interface CorrectionsApiOptions {
  store: TicketStore;
  auth: Authenticator;
  team: TeamStore;
}

/**
 * The admins' review of agents' corrections, the labelled examples the classifier retrains on:
 * `GET /api/v1/corrections` lists them (oldest first, with the message text, who and when);
 * `PATCH /api/v1/corrections/:id {"excluded": true, "reason"}` keeps one out of training, recorded
 * with the reviewer and in the audit trail. Both need `corrections.review`.
 */
export function correctionsApiRoutes({ store, auth, team }: CorrectionsApiOptions): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: CORRECTIONS_PATH,
      async handle(request) {
        await auth.require(request, 'corrections.review');
        const given = Object.fromEntries([...request.query].filter(([, value]) => value !== ''));
        return json(200, { corrections: await store.listCorrections(parseBody(CorrectionQuery, given, 'query')) });
      },
    },
    {
      method: 'PATCH',
      path: CORRECTION_PATH,
      maxBodyBytes: 16 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'corrections.review');
        const review = parseBody(ReviewBody, jsonBody(request));
        const id = pathParams(CORRECTION_PATH, request.path)!.id!;
        const correction = await store.reviewCorrection(id, { ...review, by: principal.user.email });
        if (!correction) throw new HttpError(404, `no correction ${id}`);
        await team.audit.record(auth.actor(request, principal), 'correction.review', id, { excluded: review.excluded, ...(review.reason ? { reason: review.reason } : {}) });
        return json(200, { correction });
      },
    },
  ];
}
