import type { Redaction } from '@switchboard/schema';

/**
 * Masks what must never reach a topic analysts read: card numbers, one-time codes and passwords.
 * Masks keep a recognisable shape ("[card ****1234]", "[code]", "[password]") so an agent still
 * sees that something was there, and so a public reply can be refused when it quotes one.
 */

// 13-19 digits, optionally grouped by single spaces or dashes (as people type card numbers).
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// A 4-8 digit code near a word that says it is one (English and Chinese), either order.
const CODE_WORDS = String.raw`(?:one[- ]time (?:pass)?code|otp|verification code|security code|auth(?:entication)? code|2fa code|sms code|passcode|cvv|cvc|pin|code|验证码|校验码|动态码|动态密码|短信码|驗證碼|校驗碼|動態碼)`;
const CODE_AFTER_WORD = new RegExp(String.raw`(${CODE_WORDS}\s*(?:is|was|:|：|=|是|为|為|of)?\s*)(\d{4,8})\b`, 'gi');
const CODE_BEFORE_WORD = new RegExp(String.raw`\b(\d{4,8})(\s*(?:is (?:my|the) |是|为|為)?\s*${CODE_WORDS})`, 'gi');

const PASSWORD = /((?:password|passwd|pwd|密码|密碼)\s*(?:is|was|:|：|=|是|为|為)\s*)(\S{3,64})/gi;

export interface Redacted {
  text: string;
  redactions: Map<Redaction['kind'], number>;
}

export function redact(input: string, counts: Map<Redaction['kind'], number> = new Map()): Redacted {
  const bump = (kind: Redaction['kind']) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
  let text = input.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    bump('card_number');
    return `[card ****${digits.slice(-4)}]`;
  });
  text = text.replace(PASSWORD, (_m, lead: string) => (bump('password'), `${lead}[password]`));
  text = text.replace(CODE_AFTER_WORD, (_m, lead: string) => (bump('one_time_code'), `${lead}[code]`));
  text = text.replace(CODE_BEFORE_WORD, (_m, _code: string, tail: string) => (bump('one_time_code'), `[code]${tail}`));
  return { text, redactions: counts };
}

/** Redacts text and subject together, counting both. */
export function redactMessage(text: string, subject: string | undefined): { text: string; subject: string | undefined; redactions: Redaction[] } {
  const counts = new Map<Redaction['kind'], number>();
  const body = redact(text, counts);
  const head = subject === undefined ? undefined : redact(subject, counts).text;
  return { text: body.text, subject: head, redactions: [...counts].map(([kind, count]) => ({ kind, count })) };
}
