import { createHmac } from 'node:crypto';
import { safeEqual } from '@switchboard/runtime';

/**
 * Verified web chat identity, as helpdesk widgets do it (Intercom's and Chatwoot's "identity
 * validation": an HMAC of the user's id computed by the site's server with a secret it shares with
 * the helpdesk), with an expiry signed in, so a token copied out of a page stops working:
 *
 *   token = `${customerRef}.${expiresAt}.${hex HMAC-SHA256(secret, `${customerRef}.${expiresAt}`)}`
 *
 * `expiresAt` is Unix seconds. The wallet's site signs it server side for its signed-in customer and
 * hands it to the widget; the browser never sees the secret, so it cannot make one for someone else.
 */

/** Printable ASCII without spaces, as long as the schema's `sender.customerRef` allows; dots are fine (split from the right). */
const CUSTOMER_REF = /^[\x21-\x7E]{1,200}$/;
/** A token valid for longer than this is refused: a site that signs "forever" tokens would make a leaked one permanent. */
export const MAX_IDENTITY_LIFETIME_S = 30 * 24 * 3600;

export type IdentityResult = { ok: true; customerRef: string } | { ok: false; reason: IdentityRefusal };
/** `invalid`: not signed with our secret (or malformed); `expired`: past its expiry; `not_configured`: no WEBCHAT_IDENTITY_SECRET. */
export type IdentityRefusal = 'invalid' | 'expired' | 'not_configured';

function signature(secret: string, customerRef: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${customerRef}.${expiresAt}`).digest('hex');
}

/** What the wallet's site computes (in Node; the README shows the same in other languages). */
export function signWebchatIdentity(secret: string, customerRef: string, expiresAt: Date): string {
  if (!CUSTOMER_REF.test(customerRef)) throw new RangeError('customerRef: 1-200 printable ASCII characters, no spaces');
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${customerRef}.${seconds}.${signature(secret, customerRef, seconds)}`;
}

/** Checks a token in constant time; the signature is checked before the expiry, so an unsigned token learns nothing. */
export function verifyWebchatIdentity(secret: string | undefined, token: string, now: Date = new Date()): IdentityResult {
  if (!secret) return { ok: false, reason: 'not_configured' };
  const parts = token.split('.');
  if (parts.length < 3) return { ok: false, reason: 'invalid' };
  const received = parts.pop()!;
  const expiry = parts.pop()!;
  const customerRef = parts.join('.');
  if (!/^\d{1,12}$/.test(expiry) || !CUSTOMER_REF.test(customerRef)) return { ok: false, reason: 'invalid' };
  const expiresAt = Number(expiry);
  if (!safeEqual(received.toLowerCase(), signature(secret, customerRef, expiresAt))) return { ok: false, reason: 'invalid' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (expiresAt <= nowSeconds) return { ok: false, reason: 'expired' };
  if (expiresAt - nowSeconds > MAX_IDENTITY_LIFETIME_S) return { ok: false, reason: 'invalid' };
  return { ok: true, customerRef };
}

/** What the page shows when the identity token is refused; the conversation goes on anonymous. */
export const IDENTITY_REFUSED: Record<IdentityRefusal, string> = {
  invalid: 'your sign-in could not be verified: this chat continues without your account',
  expired: 'your sign-in has expired: this chat continues without your account until you reload the wallet page',
  not_configured: 'signed-in chat is not set up here: this chat continues without your account',
};
