/**
 * The verdict of the spam filter in front of the mailbox, from the headers it adds: SpamAssassin's
 * `X-Spam-Flag: YES` and `X-Spam-Status: Yes, score=… required=…`, Rspamd's `X-Spam: Yes`. A sender
 * who writes these headers themselves can only mark their own mail as spam, so they are trusted when
 * they say yes. Spam still opens a ticket (filters are wrong sometimes), marked so agents can filter it;
 * it is never acknowledged.
 */
import type { SpamVerdict } from '@switchboard/schema';

const SAYS_YES = /^\s*yes\b/i;
const HEADERS = [
  ['x-spam-flag', 'X-Spam-Flag'],
  ['x-spam-status', 'X-Spam-Status'],
  ['x-spam', 'X-Spam'],
] as const;

export function spamVerdict(headers: ReadonlyMap<string, string[]>): SpamVerdict | undefined {
  const said = HEADERS.flatMap(([key, name]) => {
    const value = headers.get(key)?.find((v) => SAYS_YES.test(v));
    // SpamAssassin lists every test that fired after the score: the score is the reason, the list is noise.
    return value ? [`${name}: ${value.split(/\s+tests=/i)[0]!.trim()}`] : [];
  });
  if (said.length === 0) return undefined;
  const scored = /\bscore=(-?\d+(?:\.\d+)?)/i.exec(headers.get('x-spam-status')?.[0] ?? headers.get('x-spam-score')?.[0]?.replace(/^/, 'score=') ?? '');
  return { reason: said.join('; ').slice(0, 1000), ...(scored ? { score: Number(scored[1]) } : {}) };
}
