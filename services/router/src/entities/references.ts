import { REFERENCE_KINDS, type Entities } from '@switchboard/schema';
import { z } from 'zod';
import { collect, type Claims, type Found, type Prepared } from './spans.ts';

/**
 * Transaction, order and refund ids, found by patterns the router's config may replace
 * (SWITCHBOARD_REFERENCE_PATTERNS): each a regular expression whose first group is the id, and the
 * kind it names. The keyword around the id decides the kind (`退款单号 TX…` is a refund), so the
 * patterns run in order and the first that takes a stretch of text keeps it.
 */

export type Reference = Entities['references'][number];

export const ReferencePattern = z.object({
  kind: z.enum(REFERENCE_KINDS),
  pattern: z.string().min(1).refine(compiles, 'not a regular expression with a capturing group (the id)'),
});
export type ReferencePattern = z.infer<typeof ReferencePattern>;

function compiles(source: string): boolean {
  try {
    // A capturing group shows in the match of an empty alternative.
    return new RegExp(`${source}|`, 'u').exec('')!.length > 1;
  } catch {
    return false;
  }
}

// At least one digit, so words ("refund request", "order status") are not ids.
const ID = String.raw`((?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,39})(?![A-Za-z0-9-])`;
const NUMBER_WORD = String.raw`(?:#|no\.?|number|id|ref(?:erence)?|单号|單號|编号|編號|号码|號碼|号|號|流水号|流水號)`;
const LEAD = String.raw`\s*(?:is|:|是|为|為)?\s*#?\s*`;

export const DEFAULT_REFERENCE_PATTERNS: ReferencePattern[] = [
  { kind: 'refund', pattern: String.raw`(?:\brefund|退款|退貨|退货)\s*(?:request\s*)?${NUMBER_WORD}?${LEAD}${ID}` },
  { kind: 'order', pattern: String.raw`(?:\border|订单|訂單|商户单号|商戶單號)\s*${NUMBER_WORD}?${LEAD}${ID}` },
  // `payment` and `交易` need a number word: "payment 13812345678" is more often a phone number than an id.
  { kind: 'transaction', pattern: String.raw`(?:\b(?:transaction|txn)\s*${NUMBER_WORD}?|(?:\bpayment|交易|支付|付款)\s*${NUMBER_WORD}|流水号|流水號)${LEAD}${ID}` },
  { kind: 'transaction', pattern: String.raw`\b(TX\d{6,30})\b` },
  { kind: 'refund', pattern: String.raw`\b(RF\d{6,30})\b` },
];

export interface CompiledReference {
  kind: Reference['kind'];
  pattern: RegExp;
}

export function compileReferences(patterns: readonly ReferencePattern[]): CompiledReference[] {
  return patterns.map(({ kind, pattern }) => ({ kind, pattern: new RegExp(pattern, 'giu') }));
}

export const DEFAULT_REFERENCES = compileReferences(DEFAULT_REFERENCE_PATTERNS);

export function findReferences(text: Prepared, claims: Claims, rules: readonly CompiledReference[]): Found<Reference>[] {
  return rules.flatMap(({ kind, pattern }) =>
    collect(text, claims, pattern, (m) => {
      const value = m[1]?.trim();
      return value ? { kind, value: value.slice(0, 100) } : undefined;
    }),
  );
}
