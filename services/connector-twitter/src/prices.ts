/**
 * What X bills, per unit, as its pay-per-usage page lists it (xdevplatform/docs,
 * x-api/getting-started/pricing.mdx, read 2026-12): reads per resource returned, deduplicated within
 * a UTC day; writes per request. Prices change: TWITTER_PRICES overrides any of them.
 */
export const RESOURCES = ['post_read', 'user_read', 'dm_event_read', 'post_create', 'post_create_url', 'dm_create'] as const;
export type Resource = (typeof RESOURCES)[number];
export type Prices = Record<Resource, number>;

export const DEFAULT_PRICES: Prices = {
  post_read: 0.005,
  user_read: 0.01,
  dm_event_read: 0.01,
  post_create: 0.015,
  post_create_url: 0.2,
  dm_create: 0.015,
};

export const isRead = (resource: Resource): boolean => resource.endsWith('_read');
