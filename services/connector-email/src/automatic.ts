/**
 * Recognizes mail no person wrote: auto-replies, bounces, list traffic and loops. Such a message is
 * still ingested (the agent may want to see that a reply bounced), but marked with the reason so the
 * sink never opens a ticket for it and never acknowledges it, which would start a mail loop.
 */

export interface AutomaticMailInput {
  /** Header name (lower case) → raw values. */
  headers: ReadonlyMap<string, string[]>;
  fromAddress: string | undefined;
  contentType: string | undefined;
  reportType: string | undefined;
  ownAddresses: ReadonlySet<string>;
}

const BOUNCE_SENDERS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

export function automaticReason(input: AutomaticMailInput): string | undefined {
  const header = (name: string) => input.headers.get(name)?.map((v) => v.trim().toLowerCase());
  const from = input.fromAddress?.toLowerCase();

  if (input.contentType === 'multipart/report') return input.reportType === 'delivery-status' ? 'bounce' : `report:${input.reportType ?? 'unknown'}`;
  if (from && BOUNCE_SENDERS.test(from)) return 'bounce';
  // An empty envelope sender is how MTAs send delivery reports.
  if (header('return-path')?.some((v) => v === '<>')) return 'bounce';
  if (from && input.ownAddresses.has(from)) return 'own-address';
  const autoSubmitted = header('auto-submitted')?.find((v) => v !== 'no' && v !== '');
  if (autoSubmitted) return `auto-submitted:${autoSubmitted.split(';')[0]!.trim()}`;
  if (input.headers.has('x-autoreply')) return 'x-autoreply';
  if (input.headers.has('x-autorespond')) return 'x-autorespond';
  if (input.headers.has('x-auto-response-suppress')) return 'x-auto-response-suppress';
  const precedence = header('precedence')?.find((v) => ['bulk', 'junk', 'list', 'auto_reply'].includes(v));
  if (precedence) return `precedence:${precedence}`;
  if (input.headers.has('list-id')) return 'list-id';
  if (input.headers.has('x-loop')) return 'x-loop';
  return undefined;
}
