/**
 * Cuts the quoted history and the signature off a plain-text body, leaving what the customer wrote
 * this time. The patterns are those of the clients our customers use: Gmail and Apple Mail ("On …
 * wrote:"), Outlook ("From:/Sent:" blocks, "-----Original Message-----"), QQ Mail and Foxmail
 * ("原始邮件", "发件人:/发送时间:"), Traditional Chinese Outlook ("寄件者:/寄件日期:"), and the "-- "
 * signature separator. A forwarded message is kept whole below its marker: it is what the customer
 * wants us to read.
 */

const ATTRIBUTION = [/^On\b.{3,300}\bwrote:\s*$/i, /^在.{3,200}(写道|寫道)[:：]\s*$/, /^.{3,200}\b(a écrit|schrieb)\s*:\s*$/];
const SEPARATORS = [
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*(原始邮件|原始郵件)\s*-{2,}\s*$/,
  /^_{10,}\s*$/,
];
const HEADER_BLOCK_START = /^\s*\*?(From|发件人|發件人|寄件者)\*?\s*[:：]/i;
const HEADER_BLOCK_NEXT = /^\s*\*?(Sent|Date|To|Subject|发送时间|發送時間|日期|时间|時間|寄件日期|收件人|主题|主旨)\*?\s*[:：]/i;
const FORWARD_MARKERS = [
  /^-+\s*Forwarded message\s*-+\s*$/i,
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
    if (ATTRIBUTION.some((p) => p.test(trimmed))) return i;
    // "On Tue, 3 Mar 2026 at 10:00, Alice <alice@example.com>" + "wrote:" on the next line.
    if (/^On\b/i.test(trimmed) && /\bwrote:\s*$/i.test(lines[i + 1]?.trim() ?? '') && trimmed.length + (lines[i + 1]?.length ?? 0) < 300) return i;
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
