/**
 * Raw RFC 5322 bytes in, the envelope out. Pure apart from parsing: attachment bytes are returned,
 * not written, so the connector decides where they go.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { messageId, type Attachment, type DeliveryReport, type InboundMessageInput, type Sender } from '@switchboard/schema';
import { htmlToText, tidyText, toIso } from '@switchboard/connector-sdk';
import { automaticReason } from './automatic.ts';
import { bouncedReply, readDeliveryStatus } from './dsn.ts';
import { decodeRawHeader, decodeWords, headerCharsetOf, undeclaredBytes } from './header-charset.ts';
import { stripQuotedText } from './quotes.ts';
import { addressProblem, firstMailbox, flaggedSender, mailerDaemon, type MailboxText } from './sender.ts';
import { spamVerdict } from './spam.ts';
import { parseMessageIds, threadFields, threadOf } from './threading.ts';
import { PermanentError } from '@switchboard/runtime';

export interface NormalizeOptions {
  /** Our account that received the mail (the envelope `account`). */
  account: string;
  /** Our addresses, lower case: mail from them is automatic. */
  ownAddresses?: ReadonlySet<string>;
  receivedAt?: Date;
  /** The message's real size when `raw` holds only its first bytes (it is larger than `maxMessageBytes`). */
  size?: number;
  /** Where the caller stored the whole message (its sha256 in the attachment store), when `raw` is not all of it. */
  original?: { sha256: string };
  maxMessageBytes?: number;
  maxAttachmentBytes?: number;
  /** Extra `meta` (mailbox, UID, UIDVALIDITY). */
  meta?: Record<string, unknown>;
  /** Domains of our Message-IDs, lower case: a bounce whose original carries one of ours is linked to that reply. Unset: any domain. */
  ownMessageIdDomains?: ReadonlySet<string>;
}

export interface AttachmentFile {
  sha256: string;
  content: Buffer;
}

export interface NormalizedEmail {
  envelope: InboundMessageInput;
  /** Bytes of the attachments to keep, content-addressed. */
  files: AttachmentFile[];
  /** What this mail says about mail we sent (a bounce of our reply): for `ctx.reportDelivery`. */
  deliveryReports: DeliveryReport[];
}

/** The mail cannot become a message (no sender, unreadable structure): it goes to the DLQ. */
export class UnparseableEmailError extends PermanentError {
  override readonly name = 'UnparseableEmailError';
}

export const MAX_TEXT_CHARS = 100_000;
/** `meta.fullText` rides on the topic: keep it within a Kafka record. */
export const MAX_FULL_TEXT_CHARS = 200_000;
const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const FORWARD_SUBJECT = /^\s*(fwd?|fw|转发|轉寄|转寄|轉發)\s*[:：]/i;

export function storageRefOf(sha256: string): string {
  return `attachments/${sha256.slice(0, 2)}/${sha256}`;
}

/** The id a mail without a Message-ID gets: stable because it hashes the bytes. */
export function syntheticMessageId(raw: Buffer): string {
  return `synthetic.${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@switchboard.invalid`;
}

export async function normalizeEmail(raw: Buffer, options: NormalizeOptions): Promise<NormalizedEmail> {
  const size = options.size ?? raw.length;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const oversized = size > maxMessageBytes;
  // Larger mail is read from its first bytes only (its last part may be cut mid-way); the whole of it is kept aside.
  const readable = oversized ? raw.subarray(0, maxMessageBytes) : raw;

  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(readable, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, keepDeliveryStatus: true });
  } catch (error) {
    throw new UnparseableEmailError(`MIME parsing failed: ${(error as Error).message}`);
  }

  const headers = headerMap(parsed);
  const rawSubject = rawHeader(parsed, 'subject');
  const rawFrom = rawHeader(parsed, 'from');
  const undeclared = { subject: rawSubject ? undeclaredBytes(rawSubject) : [], from: rawFrom ? undeclaredBytes(rawFrom) : [] };
  const headerCharset = headerCharsetOf([...undeclared.subject, ...undeclared.from], declaredBodyCharset(readable));
  const charset = headerCharset?.charset;
  const mailbox = firstMailbox(rawFrom ? decodeRawHeader(rawFrom, charset) : '');
  const parsedFrom = firstAddress(parsed.from);
  const problem = mailbox.addrSpec ? addressProblem(mailbox.addrSpec) : undefined;
  const fromAddress = problem ? mailbox.addrSpec : parsedFrom?.address;

  const ownId = parseMessageIds(parsed.messageId)[0];
  const externalId = ownId ?? syntheticMessageId(oversized ? headerSection(raw) : raw);
  const references = parseMessageIds(parsed.references);
  const inReplyTo = parseMessageIds(parsed.inReplyTo);
  const subjectText = rawSubject && undeclared.subject.length > 0 ? decodeWords(decodeRawHeader(rawSubject, charset), charset) : parsed.subject;
  const subject = subjectText?.trim() || undefined;

  const contentType = structured(parsed.headers.get('content-type'));
  const autoSubmitted = automaticReason({
    headers,
    fromAddress,
    contentType: contentType?.value.toLowerCase(),
    reportType: contentType?.params['report-type']?.toLowerCase(),
    ownAddresses: options.ownAddresses ?? new Set(),
  });
  // A bounce may have an empty From: it is still a bounce, only one nobody can answer.
  const sender = senderOf(mailbox, problem, parsedFrom, undeclared.from.length > 0 ? charset : false) ?? (autoSubmitted === 'bounce' ? mailerDaemon(decodeWords(mailbox.displayName || mailbox.comment || '', charset)) : undefined);
  if (!sender) throw new UnparseableEmailError('no sender address (From header missing or unreadable)');
  const spam = spamVerdict(headers);
  const deliveryStatus = autoSubmitted === 'bounce' ? readDeliveryStatus(parsed) : undefined;
  const bounced = deliveryStatus ? bouncedReply(deliveryStatus, options.ownMessageIdDomains) : undefined;
  const threading = bounced?.threading ?? threadOf({ messageId: externalId, inReplyTo, references, ...(subject ? { subject } : {}) });
  const sentAt = toIso(parsed.date, options.receivedAt ?? new Date());

  const fullText = bodyText(parsed);
  const stripped = stripQuotedText(fullText, { forwarded: FORWARD_SUBJECT.test(subject ?? '') });
  // A reply with nothing above the quote still says something: keep the whole body then.
  const said = stripped || fullText;

  // Parts of a message read only in part are not trusted: the original holds them whole.
  const { attachments, files, notKept } = oversized ? { attachments: [], files: [], notKept: [] } : collectAttachments(parsed, options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES);
  const cut: OriginalKept['reason'] | undefined = oversized ? 'message-too-large' : said.length > MAX_TEXT_CHARS || fullText.length > MAX_FULL_TEXT_CHARS ? 'text-too-long' : undefined;
  const original = cut ? keepOriginal(raw, options, { reason: cut, size, limit: maxMessageBytes }) : undefined;
  if (original) {
    attachments.push(original.attachment);
    if (original.file) files.push(original.file);
  }
  const text = original ? withNote(said, original.note) : said;

  const meta: Record<string, unknown> = {
    ...options.meta,
    messageId: externalId,
    ...(ownId ? {} : { syntheticMessageId: true }),
    threading,
    inReplyTo,
    ...(addressList(parsed.to).length ? { to: addressList(parsed.to) } : {}),
    ...(addressList(parsed.cc).length ? { cc: addressList(parsed.cc) } : {}),
    ...(addressList(parsed.replyTo).length ? { replyTo: addressList(parsed.replyTo) } : {}),
    fullText: fullText.slice(0, MAX_FULL_TEXT_CHARS),
    ...(fullText.length > MAX_FULL_TEXT_CHARS ? { fullTextTruncated: true } : {}),
    ...(said.length > MAX_TEXT_CHARS ? { textTruncated: true } : {}),
    ...(notKept.length ? { attachmentsNotKept: notKept } : {}),
    ...(original ? { original: original.meta } : {}),
    ...(parsed.html && !parsed.text ? { htmlOnly: true } : {}),
    ...(headerCharset ? { headerCharset } : {}),
    ...(deliveryStatus ? { deliveryStatus: { ...deliveryStatus, ...(bounced ? { bouncedReply: bounced.messageId } : {}) } } : {}),
  };

  const envelope: InboundMessageInput = {
    schemaVersion: 1,
    id: messageId('email', options.account, externalId),
    channel: 'email',
    account: options.account,
    externalId,
    conversationKey: threading.conversationKey,
    sender,
    ...(subject ? { subject } : {}),
    text,
    attachments,
    sentAt,
    receivedAt: (options.receivedAt ?? new Date()).toISOString(),
    ...(autoSubmitted ? { autoSubmitted } : {}),
    ...(spam ? { spam } : {}),
    thread: bounced?.thread ?? threadFields(threading, references, inReplyTo),
    meta,
  };
  // The report's time is the bounce's own, so reading the mail again reports the same thing once.
  const deliveryReports: DeliveryReport[] =
    bounced?.failure !== undefined ? [{ schemaVersion: 1, channel: 'email', status: 'failed', externalId: bounced.messageId, reason: bounced.failure, at: sentAt }] : [];
  return { envelope, files, deliveryReports };
}

/**
 * The sender: mailparser's reading when the address is sound; as written and marked when it is not;
 * undefined when there is no address. `charset` is the one of undeclared 8-bit bytes in From (false: none).
 */
function senderOf(mailbox: MailboxText, problem: ReturnType<typeof addressProblem>, parsed: { address?: string; name?: string } | undefined, charset: string | undefined | false): Sender | undefined {
  const ownName = () => decodeWords(mailbox.displayName ?? mailbox.comment ?? '', charset || undefined) || undefined;
  if (mailbox.addrSpec && problem) return flaggedSender(mailbox.addrSpec, problem, decodeWords(mailbox.addrSpec, undefined), ownName());
  if (!parsed?.address) return undefined;
  const name = charset === false ? parsed.name : ownName();
  return { id: parsed.address.toLowerCase(), address: parsed.address.toLowerCase(), ...(name ? { name } : {}) };
}

/** A header's raw bytes, unfolded, after its name (mailparser keeps header lines as binary strings). */
function rawHeader(parsed: ParsedMail, key: string): Buffer | undefined {
  const line = parsed.headerLines.find((h) => h.key === key)?.line;
  if (line === undefined) return undefined;
  return Buffer.from(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim(), 'latin1');
}

/** The charset the body declares (the first text part's), a hint for undeclared 8-bit header bytes. */
function declaredBodyCharset(raw: Buffer): string | undefined {
  const text = raw.subarray(0, 256 * 1024).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  return /^content-type:\s*text\/[\w.+-]+[^\r\n]*?;\s*charset\s*=\s*"?([^";\s]+)"?/im.exec(text)?.[1];
}

function bodyText(parsed: ParsedMail): string {
  if (typeof parsed.text === 'string' && parsed.text.trim()) return tidyText(parsed.text);
  if (typeof parsed.html === 'string') return tidyText(htmlToText(parsed.html));
  return '';
}

interface NotKept {
  name: string;
  size: number;
  reason: string;
}

function collectAttachments(parsed: ParsedMail, maxAttachmentBytes: number): { attachments: Attachment[]; files: AttachmentFile[]; notKept: NotKept[] } {
  const attachments: Attachment[] = [];
  const files = new Map<string, AttachmentFile>();
  const notKept: NotKept[] = [];
  parsed.attachments.forEach((part, index) => {
    const sha256 = createHash('sha256').update(part.content).digest('hex');
    const name = part.filename ?? `attachment-${index + 1}${extensionOf(part.contentType)}`;
    const inline = part.contentDisposition === 'inline' || part.related === true;
    const contentId = part.contentId ? parseMessageIds(part.contentId)[0] ?? part.contentId : undefined;
    const keep = part.size <= maxAttachmentBytes;
    if (keep) files.set(sha256, { sha256, content: part.content });
    else notKept.push({ name, size: part.size, reason: `larger than the ${maxAttachmentBytes} byte attachment limit` });
    attachments.push({
      name,
      contentType: part.contentType,
      size: part.size,
      sha256,
      ...(inline ? { inline: true } : {}),
      ...(inline && contentId ? { contentId } : {}),
      ...(keep ? { storageRef: storageRefOf(sha256) } : {}),
    });
  });
  return { attachments, files: [...files.values()], notKept };
}

function extensionOf(contentType: string): string {
  const known: Record<string, string> = { 'message/rfc822': '.eml', 'message/delivery-status': '.txt', 'text/plain': '.txt', 'image/png': '.png', 'image/jpeg': '.jpg', 'application/pdf': '.pdf' };
  return known[contentType.toLowerCase()] ?? '';
}

export interface OriginalKept {
  reason: 'message-too-large' | 'text-too-long';
  /** Bytes of the whole message. */
  size: number;
  /** The byte limit: only this much of a message too large was read. */
  limit?: number;
  sha256: string;
  storageRef: string;
}

export const ORIGINAL_NAME = 'original.eml';

/**
 * The whole message as an attachment (`original.eml`, raw bytes in the attachment store) when what
 * the envelope carries is less than what was sent: nothing is cut away silently. A caller that read
 * only the first bytes has stored the whole itself (`options.original`); otherwise `raw` is the whole.
 */
function keepOriginal(raw: Buffer, options: NormalizeOptions, what: { reason: OriginalKept['reason']; size: number; limit: number }) {
  const sha256 = options.original?.sha256 ?? createHash('sha256').update(raw).digest('hex');
  const storageRef = storageRefOf(sha256);
  const attachment: Attachment = { name: ORIGINAL_NAME, contentType: 'message/rfc822', size: what.size, sha256, storageRef };
  const meta: OriginalKept = { reason: what.reason, size: what.size, ...(what.reason === 'message-too-large' ? { limit: what.limit } : {}), sha256, storageRef };
  const note =
    what.reason === 'message-too-large'
      ? `[This message is ${what.size} bytes, more than the ${what.limit}-byte limit: only its first ${what.limit} bytes were read for this text. The whole message is kept as ${ORIGINAL_NAME}.]`
      : `[This message is longer than ${MAX_TEXT_CHARS} characters: the text is cut here. The whole message is kept as ${ORIGINAL_NAME}.]`;
  return { attachment, meta, note, file: options.original ? undefined : { sha256, content: raw } };
}

/** The text with the note at its end, within MAX_TEXT_CHARS. */
function withNote(text: string, note: string): string {
  const room = MAX_TEXT_CHARS - note.length - 2;
  const body = text.length > room ? text.slice(0, room) : text;
  return body ? `${body}\n\n${note}` : note;
}

export function headerSection(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return raw.subarray(0, end);
}

/** Header name → unfolded raw values, for headers mailparser turns into structures (List-*, Auto-Submitted). */
function headerMap(parsed: ParsedMail): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    map.set(key.toLowerCase(), [...(map.get(key.toLowerCase()) ?? []), value]);
  }
  return map;
}

function structured(value: unknown): { value: string; params: Record<string, string> } | undefined {
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string') {
    return { value: value.value, params: ('params' in value && value.params ? value.params : {}) as Record<string, string> };
  }
  return undefined;
}

function firstAddress(header: AddressObject | AddressObject[] | undefined): { address?: string; name?: string } | undefined {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const object of objects) {
    for (const entry of object.value) {
      const candidate = entry.address ? entry : entry.group?.find((member) => member.address);
      if (candidate?.address) return { address: candidate.address, ...(candidate.name ? { name: candidate.name } : {}) };
    }
  }
  return undefined;
}

function addressList(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects.flatMap((o) => o.value.flatMap((e) => (e.address ? [e.address.toLowerCase()] : (e.group ?? []).flatMap((g) => (g.address ? [g.address.toLowerCase()] : [])))));
}
