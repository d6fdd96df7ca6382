import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A caller as the provider wrote them, normalized: E.164 when the number is a real one. */
export interface Caller {
  /** `+8613800138000`: what `sender.phone` carries and how the customer is recognised on other channels. */
  e164?: string;
  /** The customer's id on this channel: the E.164 number, else the digits as given, else `anonymous`. */
  id: string;
  /** Human-readable: the international format of the number, or what the provider wrote. */
  display: string;
  anonymous: boolean;
}

/**
 * How providers write a withheld number: an empty From, `anonymous`, `restricted`, and the keypad spellings
 * Twilio puts in From for a hidden caller ID (ANONYMOUS +266696687, RESTRICTED +7378742833, BLOCKED
 * +2562533, UNKNOWN +8656696; Twilio Help Center, "Why am I getting calls from these strange numbers?").
 */
const WITHHELD = /^(|anonymous|restricted|unavailable|unknown|private|blocked|\+?266696687|\+?7378742833|\+?2562533|\+?8656696)$/i;

export function isRegion(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

/**
 * Normalizes `raw` (`+86 138 0013 8000`, `13800138000`, `008613800138000`, `493055571600` as PBXs write
 * international numbers without a plus) in `region`. A number that is not valid as written is tried as
 * international; what stays invalid (an extension, a short service number) keeps its digits and no E.164.
 */
export function normalizeCaller(raw: string | undefined, region: CountryCode): Caller {
  const given = (raw ?? '').trim();
  if (WITHHELD.test(given)) return { id: 'anonymous', display: 'anonymous', anonymous: true };
  // Twilio Client and SIP identities are not phone numbers.
  if (/^(client|sip):/i.test(given)) return { id: given, display: given.replace(/^client:/i, ''), anonymous: false };
  const digits = given.replace(/[^\d+]/g, '');
  for (const candidate of [given, digits.startsWith('+') || digits.startsWith('00') ? undefined : `+${digits}`]) {
    if (!candidate) continue;
    const parsed = parsePhoneNumberFromString(candidate, region);
    if (parsed?.isValid()) return { e164: parsed.number, id: parsed.number, display: parsed.formatInternational(), anonymous: false };
  }
  return { id: digits || given, display: given, anonymous: false };
}

/** An agent or line as the provider names it: a number in E.164 when it is one, else as written (`801`, `client:anna`). */
export function normalizeParty(raw: string | undefined, region: CountryCode): string | undefined {
  if (!raw?.trim()) return undefined;
  const caller = normalizeCaller(raw, region);
  return caller.e164 ?? (caller.anonymous ? undefined : caller.display);
}
