import { rootWithoutHistory, type Tweet } from './normalize.ts';

/**
 * What this process has seen of reply chains, to give a v1.1 tweet (which has no conversation_id)
 * the root of its conversation: each tweet's parent, and the root each tweet was given. A tweet
 * keeps the root it got first, so the same tweet arriving by webhook and by polling gets one key.
 * Bounded and in memory: after a restart, a reply to a tweet seen before the restart is keyed by
 * the tweet it replies to (see README).
 */
export class ThreadIndex {
  private readonly parents = new Map<string, string | null>();
  private readonly roots = new Map<string, string>();

  constructor(private readonly capacity = 50_000) {}

  /** Records a tweet's place in its chain (ours included: customers reply to our replies). */
  remember(tweetId: string, parentId: string | null | undefined): void {
    if (this.parents.has(tweetId)) return;
    this.parents.set(tweetId, parentId ?? null);
    trim(this.parents, this.capacity);
  }

  /** The root of `tweet`'s conversation: see `RootOf` in normalize.ts. */
  readonly rootOf = (tweet: Tweet): string => {
    const known = this.roots.get(tweet.id_str);
    if (known) return known;
    this.remember(tweet.id_str, tweet.in_reply_to_status_id_str);
    const root = tweet.conversation_id ? String(tweet.conversation_id) : this.walk(tweet);
    this.roots.set(tweet.id_str, root);
    trim(this.roots, this.capacity);
    return root;
  };

  /** Records that our tweet `tweetId` replies to `parentId`, in the conversation of `parentId`. */
  rememberReply(tweetId: string, parentId: string): void {
    this.remember(tweetId, parentId);
    const parentRoot = this.roots.get(parentId);
    if (parentRoot) this.roots.set(tweetId, parentRoot);
  }

  private walk(tweet: Tweet): string {
    let current = tweet.in_reply_to_status_id_str;
    if (!current) return rootWithoutHistory(tweet);
    const visited = new Set<string>();
    while (!visited.has(current)) {
      visited.add(current);
      const assigned = this.roots.get(current);
      if (assigned) return assigned;
      const parent = this.parents.get(current);
      if (!parent) return current;
      current = parent;
    }
    return current;
  }
}

function trim(map: Map<string, unknown>, capacity: number): void {
  // Maps iterate in insertion order: the oldest entries go first.
  while (map.size > capacity) map.delete(map.keys().next().value!);
}
