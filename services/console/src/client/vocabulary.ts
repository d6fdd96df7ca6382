/**
 * The schema's enumerations (categories, priorities, languages, ticket statuses) and the registered
 * channels' labels and icons, written into the bundle at build time (see ../assets.ts), so the browser
 * gets the lists without zod and no channel is named in this code.
 */
export interface ChannelView {
  id: string;
  label: { en: string; zh: string };
  icon: { color: string; path: string };
  publicReplies: boolean;
  /** The sentence the reply-window banner shows for a decision's mode (see ChannelDescriptor.replyModes). */
  replyModes: Record<string, { en: string; zh: string }>;
}

declare const __SWITCHBOARD_VOCABULARY__: {
  CATEGORIES: readonly string[];
  PRIORITIES: readonly string[];
  LANGUAGES: readonly string[];
  STATUSES: readonly string[];
  CHANNELS: readonly ChannelView[];
  OTHER_CHANNEL: ChannelView;
  /** What each role may do (the server checks every request; the page only hides what a role cannot use). */
  GRANTS: Record<string, readonly string[]>;
};

export const { CATEGORIES, PRIORITIES, LANGUAGES, STATUSES, CHANNELS, OTHER_CHANNEL, GRANTS } = __SWITCHBOARD_VOCABULARY__;

const byId = new Map(CHANNELS.map((c) => [c.id, c]));

/** The channel's view, or the "other channel" one for an id this deployment does not register. */
export function channelView(id: string): ChannelView {
  return byId.get(id) ?? OTHER_CHANNEL;
}
