import type { LedgerEntry } from '@switchboard/schema';

/**
 * The rules of the outbound ledger, pure: entries applied in log order give each id its state, and
 * `decide` says what a replica that wants to send it may do. Every replica applies the same log in
 * the same order, so all of them agree on who holds an id.
 */

export interface Claim {
  token: string;
  instance: string;
  member: string | undefined;
  expiresAt: number;
}

export interface IdState {
  /** Set once the id was sent: final, whatever comes after. `source`: the record whose send it was. */
  sent?: { at: string; externalId?: string; source: { partition: number; offset: string } };
  holder?: Claim;
  /** The outbound record the latest entry was about: an id still ahead of the group's commit is kept. */
  source: { partition: number; offset: string };
  /** Time of the latest entry (ms), for the duplicate window. */
  lastAt: number;
}

export function applyEntry(state: IdState | undefined, entry: LedgerEntry): IdState {
  const next: IdState = state ? { ...state } : { source: entry.source, lastAt: 0 };
  next.source = entry.source;
  next.lastAt = Math.max(next.lastAt, Date.parse(entry.at));
  if (next.sent) return next;
  switch (entry.kind) {
    case 'sent':
      next.sent = { at: entry.at, source: entry.source, ...(entry.externalId ? { externalId: entry.externalId } : {}) };
      delete next.holder;
      break;
    case 'release':
      if (next.holder?.token === entry.token) delete next.holder;
      break;
    case 'claim':
      // First come, first served; a claim that names the current holder takes it over (compare-and-set).
      if (!next.holder || entry.supersedes === next.holder.token) {
        next.holder = { token: entry.token, instance: entry.instance, member: entry.member, expiresAt: entry.expiresAt ? Date.parse(entry.expiresAt) : 0 };
      }
      break;
  }
  return next;
}

export type Decision =
  /** Sent before (by anyone): do not send again. `redelivered`: for this very record (not a second copy of the id). */
  | { action: 'skip'; redelivered: boolean; externalId?: string }
  /** The claim is ours: send. */
  | { action: 'send' }
  /** Nobody holds it, or the holder is gone: write a claim (taking over `supersedes`) and look again. */
  | { action: 'claim'; supersedes?: string }
  /** A live replica holds it: wait for it to send or release. */
  | { action: 'wait'; until: number };

export interface Asker {
  /** The outbound record being decided. */
  source: { partition: number; offset: string };
  /** The asker's own claim on this id, once it wrote one. */
  token: string | undefined;
  instance: string;
  now: number;
  /** Whether a member id is in the consumer group right now; undefined when the group is not known. */
  isMember: (member: string) => boolean | undefined;
}

export function decide(state: IdState | undefined, asker: Asker): Decision {
  if (state?.sent) {
    const redelivered = state.sent.source.partition === asker.source.partition && state.sent.source.offset === asker.source.offset;
    return { action: 'skip', redelivered, ...(state.sent.externalId ? { externalId: state.sent.externalId } : {}) };
  }
  const holder = state?.holder;
  if (!holder) return { action: 'claim' };
  if (holder.token === asker.token) return { action: 'send' };
  // An earlier attempt of this same process (a handler retried after a failure): it knows what it did.
  if (holder.instance === asker.instance) return { action: 'claim', supersedes: holder.token };
  // Gone: its member left the group (killed, or expelled after its session timed out), or its lease ran out.
  const gone = (holder.member !== undefined && asker.isMember(holder.member) === false) || asker.now >= holder.expiresAt;
  return gone ? { action: 'claim', supersedes: holder.token } : { action: 'wait', until: holder.expiresAt };
}
