import { collect, type Claims, type Found, type Prepared } from './spans.ts';

/**
 * Who the money went to or came from, and which card: "paid Lucky Coffee", "transfer to Zhang Wei",
 * `付给星巴克`, `转账给张三`; the last four digits the router's card mask keeps, and the ones customers
 * type themselves ("card ending 1234", `尾号1234的卡`).
 */

// A name in English: capitalised words ("Lucky Coffee", "Zhang Wei", "McDonald's", "7-Eleven").
const EN_NAME = String.raw`((?:[A-Z0-9][\w'&.-]*)(?:\s(?:[A-Z0-9][\w'&.-]*|&|of|de))*)`;
const LEADS = ['paid', 'pay', 'paying', 'payment to', 'paid to', 'transfer to', 'transferred to', 'transferred money to', 'sent to', 'sent money to', 'send to', 'send money to', 'sent', 'send', 'transfer', 'transferred', 'charged by', 'charge from', 'refund from', 'received from', 'bought from', 'purchase at', 'purchased at', 'paid at', 'merchant:'];
// Lower case or capitalised at the start of a sentence; the name itself must be capitalised, so no `i` flag.
const EN_LEAD = String.raw`\b(?:${LEADS.map((w) => `[${w[0]!.toUpperCase()}${w[0]}]${w.slice(1).replace(/ /g, '\\s+')}`).join('|')})`;
// An amount may stand between the verb and the name: "paid ¥38 to Lucky Coffee", "sent 200 USD to Zhang Wei".
const EN_PARTY = new RegExp(String.raw`${EN_LEAD}\s+(?:\S*\d\S*(?:\s+[A-Za-z]{3})?\s+to\s+)?${EN_NAME}`, 'gd');
// Words a capitalised run starts with that are not names: "paid It", "sent to My account", a month.
const NOT_NAMES = /^(?:I|It|My|Me|The|This|That|You|Your|Him|Her|Them|Us|Our|A|An|On|At|In|For|Twice|Today|Yesterday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/;

// A name in Chinese: up to 10 characters, ending before a function word, a number or punctuation.
const ZH_STOP = '的了但却卻可没沒不还還后後时時钱錢元块塊吗嗎呢吧啊，。,.!?！？；;:：、\\s\\d\u25AF';
const ZH_NAME = `([^${ZH_STOP}]{1,10}?)(?=[${ZH_STOP}]|$|转账|轉賬|轉帳|付款|消费|消費|支付|买|買)`;
const PRONOUNS = /^(?:我|你|他|她|它|您|我们|我們|你们|你們|他们|他們|对方|對方|别人|別人|朋友)$/;
const ZH_PARTY = new RegExp(String.raw`(?:付给|付給|支付给|支付給|转账给|轉賬給|轉帳給|转给|轉給|打给|打給|汇给|匯給|汇款给|匯款給|转账到|轉帳到|退款自|商户[:：]?|商戶[:：]?)\s*${ZH_NAME}`, 'gdu');
// `在星巴克消费`: a merchant between 在 and the spending.
const ZH_AT = new RegExp(String.raw`在([^${ZH_STOP}在]{1,10}?)(?:消费|消費|付款|支付|刷卡|买|買)`, 'gdu');

const CARD_WORD = /card|卡/i;
const LAST4 = /(?:ending(?:\s+in|\s+with)?|ends\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:is|are))?|尾号|尾號|末四位|后四位|後四位)\s*[:：]?\s*(\d{4})(?!\d)/gi;

/** The name's own span is what is taken: the amount beside it ("paid ¥38 to …") stays an amount. */
function names(text: Prepared, claims: Claims, pattern: RegExp, accept: (name: string) => boolean): Found<string>[] {
  const found: Found<string>[] = [];
  for (const m of text.read.matchAll(pattern)) {
    const [start, end] = m.indices![1]!;
    const name = text.original.slice(start, end).replace(/[.'-]+$/, '').trim();
    if (name && accept(name) && claims.take(start, end)) found.push({ start, end, value: name.slice(0, 200) });
  }
  return found;
}

export function findCounterparties(text: Prepared, claims: Claims): Found<string>[] {
  const english = names(text, claims, EN_PARTY, (name) => !NOT_NAMES.test(name) && /[A-Za-z]/.test(name));
  const chinese = [ZH_PARTY, ZH_AT].flatMap((pattern) => names(text, claims, pattern, (name) => !PRONOUNS.test(name)));
  return [...english, ...chinese].sort((a, b) => a.start - b.start);
}

/** Typed last fours count only with a card named near them: `尾号1234` alone may be a phone number. */
export function findTypedCards(text: Prepared, claims: Claims): Found<string>[] {
  return collect(text, claims, LAST4, (m) => {
    const around = text.read.slice(Math.max(0, m.index - 16), m.index + m[0].length + 6);
    return CARD_WORD.test(around) ? m[1]! : undefined;
  });
}
