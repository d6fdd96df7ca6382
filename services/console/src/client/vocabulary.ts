/**
 * The schema's enumerations (categories, priorities, channels, languages, ticket statuses), written
 * into the bundle at build time from @switchboard/schema and @switchboard/ticket-store (see
 * ../assets.ts), so the browser gets the lists without zod.
 */
declare const __SWITCHBOARD_VOCABULARY__: {
  CATEGORIES: readonly string[];
  PRIORITIES: readonly string[];
  CHANNELS: readonly string[];
  LANGUAGES: readonly string[];
  STATUSES: readonly string[];
};

export const { CATEGORIES, PRIORITIES, CHANNELS, LANGUAGES, STATUSES } = __SWITCHBOARD_VOCABULARY__;
