/**
 * The webhook's upkeep with the app-only bearer token: after the connector was down, ask X to check
 * the webhook again (a CRC X could not get through marks it invalid, and X then stops delivering) and
 * to replay what it tried to deliver meanwhile. Endpoints (xdevplatform/docs): `GET /2/webhooks`,
 * `PUT /2/webhooks/:id` (x-api/webhooks/validate-webhook.mdx) and `POST /2/webhooks/replay`
 * ({webhook_id, from_date, to_date} as yyyymmddhhmm UTC, the past 24 hours): changelog.mdx retired
 * `/2/account_activity/replay/webhooks/:id/subscriptions/all` for it on 2026-03-25.
 * Replayed events come through the webhook like any others, deduplicated by event id and account.
 */
import type { ConnectorContext } from '@switchboard/connector-sdk';
import { XClient } from './x-client.ts';

export const WEBHOOK_STREAM = 'webhook';
/** The checkpoint account of app-wide state (one webhook per app). */
export const APP_ACCOUNT = '(app)';
/** X replays at most the past 24 hours. */
export const REPLAY_HORIZON_MS = 24 * 3_600_000;
/** Events within this much of the last moment we were up are replayed too: deliveries in flight then. */
const OVERLAP_MS = 2 * 60_000;
/** A gap shorter than this is covered by X's own retries. */
const MIN_GAP_MS = 60_000;

export interface WebhookUpkeep {
  /** What happened, for health. */
  validated?: boolean;
  replay?: { jobId: string; from: string; to: string } | { skipped: string };
  error?: string;
}

/** `yyyymmddhhmm` in UTC. */
export function replayDate(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** The window to replay after being up until `aliveAt`: undefined when the gap is too short to matter. */
export function replayWindow(aliveAt: Date | undefined, now: Date): { from: Date; to: Date; clipped: boolean } | undefined {
  if (!aliveAt || now.getTime() - aliveAt.getTime() < MIN_GAP_MS) return undefined;
  const earliest = now.getTime() - REPLAY_HORIZON_MS + MIN_GAP_MS;
  const from = Math.max(aliveAt.getTime() - OVERLAP_MS, earliest);
  return { from: new Date(from), to: now, clipped: from > aliveAt.getTime() - OVERLAP_MS };
}

export class WebhookAdmin {
  private readonly client: XClient;

  constructor(
    private readonly webhook: { id: string; bearerToken: string },
    options: { apiBase: string; timeoutMs: number },
  ) {
    this.client = new XClient({ ...options, signer: { tokens: async () => webhook.bearerToken } });
  }

  /** Re-validates the webhook when X marked it invalid, then replays the gap since `aliveAt`. */
  async recover(context: ConnectorContext, aliveAt: Date | undefined, now = new Date()): Promise<WebhookUpkeep> {
    const upkeep: WebhookUpkeep = {};
    try {
      upkeep.validated = await this.revalidate(context.signal);
      const window = replayWindow(aliveAt, now);
      if (!window) {
        upkeep.replay = { skipped: aliveAt ? 'no gap worth replaying' : 'first start: nothing to replay' };
        return upkeep;
      }
      if (window.clipped) context.logger.warn('webhook gap longer than the 24 h X replays: older events are only found by polling', { aliveAt: aliveAt?.toISOString() });
      const body = { webhook_id: this.webhook.id, from_date: replayDate(window.from), to_date: replayDate(window.to) };
      const { data } = await this.client.request<{ data?: { job_id?: string } }>({ version: '2', method: 'POST', path: 'webhooks/replay', body, signal: context.signal });
      upkeep.replay = { jobId: String(data?.data?.job_id ?? ''), from: window.from.toISOString(), to: window.to.toISOString() };
      context.logger.info('asked X to replay the webhook gap', upkeep.replay);
    } catch (error) {
      upkeep.error = error instanceof Error ? error.message : String(error);
      context.logger.warn('webhook upkeep failed; polling still covers mentions and DMs', { error: upkeep.error });
    }
    return upkeep;
  }

  /** True when X had the webhook as valid, or it was triggered to check it again. */
  private async revalidate(signal: AbortSignal): Promise<boolean> {
    const { data } = await this.client.request<{ data?: { id?: string; valid?: boolean }[] }>({ version: '2', method: 'GET', path: 'webhooks', signal });
    const config = data?.data?.find((w) => w.id === this.webhook.id);
    if (!config) throw new Error(`webhook ${this.webhook.id} is not registered for this app`);
    if (config.valid) return true;
    const { data: check } = await this.client.request<{ data?: { valid?: boolean } }>({ version: '2', method: 'PUT', path: 'webhooks/:id', params: { id: this.webhook.id }, signal });
    return check?.data?.valid === true;
  }
}
