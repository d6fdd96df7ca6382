/** The checkpoint streams and positions the pollers share, whichever API version reads them. */
export const MENTIONS_STREAM = 'mentions';
export const DMS_STREAM = 'dms';
/** The position of an account that had nothing when first polled. */
export const NOTHING_SEEN = '0';

export interface MentionsPosition {
  /** The newest post id emitted: the next poll's since_id. */
  sinceId: string;
}

export interface DmsPosition {
  /** The newest DM event emitted (snowflake ids grow with time). */
  lastEventId: string;
  /** Its time in ms since epoch, as a string (v1.1's created_timestamp). */
  lastCreatedTimestamp: string;
}
