/**
 * Cuts the quoted history and the signature off a plain-text body, leaving what the customer wrote
 * this time. The patterns are those of the clients our customers use: Gmail and Apple Mail ("On …
 * wrote:" and its German, French, Spanish, Italian, Portuguese, Dutch, Japanese and Chinese forms),
 * Outlook ("From:/Sent:" blocks in those languages, "-----Original Message-----"), QQ Mail and Foxmail
 * ("原始邮件", "发件人:/发送时间:"), Traditional Chinese Outlook ("寄件者:/寄件日期:"), and the "-- "
 * signature separator. A forwarded message is kept whole below its marker: it is what the customer
 * wants us to read.
 */

/**
 * "On <date>, <someone> wrote:" as mail clients write it in each language. Every pattern needs the
 * client's own words ("wrote", "schrieb", "写道"…) and, where the words alone could end a sentence of
 * the customer's, a time or an address on the same line.
 */
const ATTRIBUTION = [
  /^On\b.{3,300}\bwrote:\s*$/i,
  // German: "Am 03.02.2025 14:20, schrieb Kundenservice Team:", "Am 03.02.2025 um 14:20 schrieb X <x@y>:".
  /^Am\s.{3,120}\bschrieb\b.{0,200}:\s*$/,
  /^.{3,200}\bschrieb\s*:\s*$/,
  // French: "Le 3 févr. 2025 à 14:20, Service Client <x@y> a écrit :".
  /^Le\s.{3,300}\ba\s+écrit\s*:\s*$/i,
  /^.{3,200}\ba\s+écrit\s*:\s*$/,
  // Spanish: "El lun, 3 feb 2025 a las 14:20, Servicio <x@y> escribió:".
  /^El\s.{3,300}\bescribió\s*:\s*$/i,
  // Italian, Portuguese, Dutch: "Il giorno … ha scritto:", "Em … escreveu:", "Op … schreef …:".
  /^(Il\s|In\sdata\s).{3,300}\bha\s+scritto\s*:\s*$/i,
  /^Em\s.{3,300}\bescreveu\s*:\s*$/i,
  /^Op\s.{3,300}\bschreef\b.{0,200}:\s*$/i,
  // Japanese Gmail: "2025年2月3日(月) 14:20 サポート <support@wallet.test>:"; Thunderbird: "… さんは書きました:".
  /^\d{4}年\d{1,2}月\d{1,2}日.{0,200}[<＜][^<>＜＞\s]+@[^<>＜＞\s]+[>＞]\s*[:：]\s*$/,
  /^(?=.*(\d{1,2}:\d{2}|@)).{1,250}書きました\s*[:：]\s*$/,
  // Chinese: "在 2025年2月3日 14:20，客服 写道：", Apple Mail "客服 <x@y> 于2025年2月3日 写道：",
  // Traditional "客服 於 2025年2月3日 週一 下午2:20 寫道：". The time keeps "我于3月1日转账，他写道：" in the text.
  /^在.{3,200}(写道|寫道)\s*[:：]\s*$/,
  /^(?=.*\d{1,2}[:：]\d{2}).{1,250}[于於].{1,200}(写道|寫道)\s*[:：]\s*$/,
];
/** How an attribution starts, in the languages above: the first of its two lines when a client wrapped it. */
const ATTRIBUTION_OPENER = /^((On|Am|Le|El|Il|In data|Em|Op)\s|在|\d{4}年)/i;

const isAttribution = (line: string) => ATTRIBUTION.some((p) => p.test(line));

/** The first line of an attribution wrapped over two, which only together read as one (the second alone is caught by itself). */
function wrappedAttribution(line: string, next: string): boolean {
  return ATTRIBUTION_OPENER.test(line) && next !== '' && line.length + next.length < 300 && !isAttribution(next) && isAttribution(`${line} ${next}`);
}

const SEPARATORS = [
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine|Mensaje original|Messaggio originale|Mensagem original|Oorspronkelijk bericht|元のメッセージ)\s*-{2,}\s*$/i,
  /^-{2,}\s*(原始邮件|原始郵件)\s*-{2,}\s*$/,
  /^_{10,}\s*$/,
];
// Outlook's header block of the quoted mail: "From:/Sent:" and the same in German, French, Spanish, Italian, Portuguese, Dutch, Japanese, Chinese.
const HEADER_BLOCK_START = /^\s*\*?(From|Von|De|Da|Van|差出人|发件人|發件人|寄件者)\*?\s*[:：]/i;
const HEADER_BLOCK_NEXT =
  /^\s*\*?(Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado|Para|Asunto|Inviato|Oggetto|Verzonden|Aan|Onderwerp|送信日時|宛先|件名|发送时间|發送時間|日期|时间|時間|寄件日期|收件人|主题|主旨)\*?\s*[:：]/i;
const FORWARD_MARKERS = [
  /^-+\s*Forwarded message\s*-+\s*$/i,
  /^-+\s*(Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato|Mensagem encaminhada|Doorgestuurd bericht|転送されたメッセージ)\s*-+\s*$/i,
  /^Begin forwarded message:\s*$/i,
  /^-+\s*(转发邮件信息|转发的邮件|轉寄郵件|转发邮件)\s*-+\s*$/,
];
const SIGNATURE = [/^-- ?$/, /^Sent from my (iPhone|iPad|Android|mobile)/i, /^Get Outlook for (iOS|Android)/i, /^(发自我的|發自我的|来自我的)\s*(iPhone|iPad|手机|手機)/];

export interface StripOptions {
  /** The subject says it is a forward (Fwd:, FW:, 转发:): its Outlook-style header blocks are the forwarded mail. */
  forwarded?: boolean;
}

export function stripQuotedText(text: string, options: StripOptions = {}): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = cutIndex(lines, options);
  const kept = lines.slice(0, cut).filter((line) => !line.startsWith('>'));
  return kept.join('\n').trim();
}

function cutIndex(lines: string[], options: StripOptions): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (FORWARD_MARKERS.some((p) => p.test(trimmed))) return lines.length;
    if (SIGNATURE.some((p) => p.test(line))) return i;
    if (isAttribution(trimmed)) return i;
    // An attribution wrapped over two lines: "On Tue, 3 Mar 2026 at 10:00, Alice <alice@example.com>" + "wrote:".
    if (wrappedAttribution(trimmed, lines[i + 1]?.trim() ?? '')) return i;
    if (SEPARATORS.some((p) => p.test(trimmed))) {
      // An Outlook underline is a separator only when a header block follows it.
      if (/^_+$/.test(trimmed) && !HEADER_BLOCK_START.test(lines[i + 1] ?? '')) continue;
      if (options.forwarded) return lines.length;
      return i;
    }
    if (!options.forwarded && HEADER_BLOCK_START.test(line) && lines.slice(i + 1, i + 5).some((next) => HEADER_BLOCK_NEXT.test(next))) return i;
  }
  return lines.length;
}
