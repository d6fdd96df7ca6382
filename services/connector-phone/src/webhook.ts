import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { describeIssues, HttpError, json, pathParams, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';
import type { CallEvent } from './calls.ts';
import type { PhoneConfig } from './config.ts';
import { ctiEvents, ctiFields, CtiPayload } from './cti.ts';
import {
  formParams,
  recordingEvents,
  RecordingCallback,
  statusEvents,
  StatusCallback,
  transcriptionEvents,
  TranscriptionCallback,
  twilioSignatureValid,
  type FormParams,
} from './twilio.ts';

export const TWILIO_PATHS = {
  status: '/webhooks/twilio/voice/status',
  recording: '/webhooks/twilio/voice/recording',
  transcription: '/webhooks/twilio/voice/transcription',
} as const;
export const CTI_PATH = '/webhooks/cti/:token';

export interface WebhookDeps {
  config: PhoneConfig;
  /** Folds the events into their calls' records, durably: resolves once they are safe. */
  accept(events: CallEvent[]): Promise<void>;
  /** Keeps an authenticated callback that could not be understood, with its bytes and the reason. */
  deadLetter(entry: { reason: string; raw: Buffer; sourceId: string }): Promise<void>;
  now: () => Date;
}

const MAX_BODY = 64 * 1024;

function sourceIdOf(kind: string, id: unknown, raw: Buffer): string {
  return `${kind}/${typeof id === 'string' && id ? id : createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
}

async function refuse(deps: WebhookDeps, what: string, issues: string, raw: Buffer, sourceId: string): Promise<never> {
  await deps.deadLetter({ reason: `invalid ${what}: ${issues}`, raw, sourceId });
  throw new HttpError(400, `invalid ${what}: ${issues}`);
}

function twilioRoute<S extends z.ZodType>(deps: WebhookDeps, path: string, what: string, schema: S, toEvents: (parsed: z.infer<S>, at: Date) => CallEvent[]): HttpRoute {
  const twilio = deps.config.twilio!;
  return {
    method: 'POST',
    path,
    maxBodyBytes: MAX_BODY,
    async handle(request: HttpRequest): Promise<HttpResponse> {
      const params: FormParams = formParams(request.rawBody);
      if (!twilioSignatureValid(twilio.authToken, request, twilio.publicUrl, params)) throw new HttpError(401, 'X-Twilio-Signature does not match this request');
      const parsed = schema.safeParse(params);
      if (!parsed.success) return refuse(deps, what, describeIssues(parsed.error.issues), request.rawBody, sourceIdOf('twilio', params.CallSid, request.rawBody));
      await deps.accept(toEvents(parsed.data, deps.now()));
      return { status: 204 };
    },
  };
}

function ctiRoute(deps: WebhookDeps, token: string): HttpRoute {
  return {
    method: 'POST',
    path: CTI_PATH,
    maxBodyBytes: MAX_BODY,
    async handle(request: HttpRequest): Promise<HttpResponse> {
      const given = pathParams(CTI_PATH, request.path)?.token;
      if (!safeEqual(given, token)) throw new HttpError(401, 'unknown CTI token');
      const contentType = request.headers['content-type'];
      let fields: Record<string, unknown>;
      try {
        fields = await ctiFields(request.rawBody, typeof contentType === 'string' ? contentType : undefined);
      } catch (error) {
        return refuse(deps, 'CTI event', `the body could not be read (${(error as Error).message})`, request.rawBody, sourceIdOf('cti', undefined, request.rawBody));
      }
      const parsed = CtiPayload.safeParse(fields);
      if (!parsed.success) return refuse(deps, 'CTI event', describeIssues(parsed.error.issues), request.rawBody, sourceIdOf('cti', fields.callId, request.rawBody));
      await deps.accept(ctiEvents(parsed.data, deps.now()));
      // Zammad's answer to a PBX: an empty object (no action asked of it).
      return json(200, {});
    },
  };
}

/** The routes of what is configured: Twilio's three callbacks, the CTI push API. */
export function phoneRoutes(deps: WebhookDeps): HttpRoute[] {
  const routes: HttpRoute[] = [];
  if (deps.config.twilio) {
    routes.push(
      twilioRoute(deps, TWILIO_PATHS.status, 'Twilio status callback', StatusCallback, statusEvents),
      twilioRoute(deps, TWILIO_PATHS.recording, 'Twilio recording callback', RecordingCallback, recordingEvents),
      twilioRoute(deps, TWILIO_PATHS.transcription, 'Twilio transcription callback', TranscriptionCallback, transcriptionEvents),
    );
  }
  if (deps.config.ctiToken) routes.push(ctiRoute(deps, deps.config.ctiToken));
  return routes;
}
