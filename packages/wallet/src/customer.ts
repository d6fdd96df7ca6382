/**
 * Who the customer is at the wallet, from verified identifiers only: a reference the channel verified
 * (`sender.customerRef`, e.g. a signed-in web chat whose identity the wallet's site signed), or a mapping
 * the operators configured from channel ids. Nothing the customer typed (an email address in the text, a
 * phone number they claim) ever names an account: a lookup or a freeze on a guessed account is how
 * someone else's money leaks.
 */

/** What resolution reads of a customer message. */
export interface SenderOf {
  channel: string;
  direction: 'inbound' | 'outbound';
  sender: { id: string; customerRef?: string; suspect?: { reason: string } };
}

export type CustomerResolution =
  | { customerRef: string; via: 'verified-sender' | 'mapping' }
  | { customerRef?: undefined; none: 'suspect' | 'unverified' | 'no-customer-message'; reason: string };

/** `<channel>:<sender id>` → customer ref, as the operators configured it. */
export type CustomerMapping = ReadonlyMap<string, string>;

export function mappingKey(channel: string, senderId: string): string {
  return `${channel}:${senderId}`;
}

/**
 * The customer of a ticket's messages. A conversation with any suspect sender gets no lookup at all:
 * a forged message in the thread may be the one asking. Otherwise the newest verified reference wins,
 * then the mapping of the newest sender that has one.
 */
export function resolveCustomer(messages: readonly SenderOf[], mapping: CustomerMapping = new Map()): CustomerResolution {
  const inbound = messages.filter((m) => m.direction === 'inbound');
  if (inbound.length === 0) return { none: 'no-customer-message', reason: 'the ticket has no message from the customer' };
  const suspect = inbound.find((m) => m.sender.suspect);
  if (suspect) return { none: 'suspect', reason: `the sender is suspect (${suspect.sender.suspect!.reason}): no wallet lookup` };
  const newestFirst = [...inbound].reverse();
  const verified = newestFirst.find((m) => m.sender.customerRef);
  if (verified) return { customerRef: verified.sender.customerRef!, via: 'verified-sender' };
  for (const m of newestFirst) {
    const mapped = mapping.get(mappingKey(m.channel, m.sender.id));
    if (mapped) return { customerRef: mapped, via: 'mapping' };
  }
  return { none: 'unverified', reason: `the ${inbound[0]!.channel} sender is not verified and no configured mapping names them: no wallet lookup` };
}
