/**
 * The web chat's WebSocket frames (JSON text frames). The server validates what clients send with
 * these schemas; the browser client imports the types only.
 */
import { z } from 'zod';
import type { IdentityRefusal } from './identity.ts';

const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'client id: 8-64 url-safe characters');
/** The browser's secret: whoever holds it reads the conversation. Never leaves the browser and this server. */
export const SESSION_TOKEN = /^[A-Za-z0-9_-]{22,64}$/;
/** The public name of a session, derived from its token: in conversation keys, topics and tickets. */
export const SESSION_ID = /^[A-Za-z0-9_-]{24}$/;

export const Profile = z.object({
  name: z.string().trim().max(100).optional(),
  email: z.union([z.literal(''), z.string().trim().max(200).email()]).optional(),
});
export type Profile = z.infer<typeof Profile>;

export const ClientFrame = z.discriminatedUnion('type', [
  // `identity`: the token the wallet's site signed for its signed-in customer (identity.ts).
  z.object({ type: z.literal('hello'), token: z.string().optional(), identity: z.string().max(500).optional(), profile: Profile.optional(), lang: z.string().max(35).optional() }),
  z.object({ type: z.literal('profile'), profile: Profile }),
  z.object({ type: z.literal('message'), clientId, text: z.string() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export interface HistoryEntry {
  /** Our message id: the envelope id of a customer message, the outbound id of a reply. */
  id: string;
  from: 'customer' | 'agent' | 'system';
  text: string;
  at: string;
  /** The browser's id of a customer message, so a resent message is recognised. */
  clientId?: string;
}

export type ErrorCode = 'too_long' | 'rate_limited' | 'bad_frame' | 'not_ready' | 'unavailable' | 'identity_refused';

export type ServerFrame =
  /** `verified`: the session is the signed-in customer's (a valid identity token came with hello). */
  | { type: 'welcome'; token: string; sessionId: string; verified: boolean; history: HistoryEntry[]; limits: { maxChars: number } }
  | { type: 'ack'; clientId: string; id: string }
  | { type: 'message'; entry: HistoryEntry }
  | { type: 'error'; code: ErrorCode; message: string; clientId?: string; retryAfterMs?: number; reason?: IdentityRefusal };
