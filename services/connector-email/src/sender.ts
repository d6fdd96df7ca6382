/**
 * The sender as the From header wrote it. mailparser's reading is kind to broken addresses, which is
 * wrong for a sender: `=?utf-8?B?c3VwcG9ydA==?=@bank.example` (an encoded-word inside an address, which
 * RFC 2047 §5 forbids) becomes support@bank.example, and `<help desk team@shop.example>` becomes
 * team@shop.example, someone else. So the first mailbox of From is read here too, token by token
 * (quoted strings, comments, the angle address), and an address that is not what it looks like is kept
 * as written and marked: suspect, and unusable for a reply.
 */
import type { Sender, SenderFlag } from '@switchboard/schema';

export interface MailboxText {
  /** The display name as written (quotes removed, encoded-words still encoded). */
  displayName?: string;
  /** Comment text, e.g. `(Mail Delivery System)`. */
  comment?: string;
  /** The address as written: the angle address, or the bare addr-spec. Empty for `<>`. */
  addrSpec?: string;
}

export type AddressProblem = 'encoded-word-in-address' | 'unparseable-address';

const ENCODED_WORD = /=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/;
// RFC 5322 §3.4.1 addr-spec, with RFC 6532's UTF-8 in atext.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u{80}-\\u{10FFFF}]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED_STRING = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const DOMAIN_LITERAL = '\\[[^\\[\\]\\\\\\s]*\\]';
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED_STRING})@(?:${DOT_ATOM}|${DOMAIN_LITERAL})$`, 'u');

/** Reads the first mailbox of an address header value (unfolded, charset-decoded, encoded-words not yet decoded). */
export function firstMailbox(value: string): MailboxText {
  let phrase = '';
  let comment = '';
  let angle: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '"') {
      const end = closingQuote(value, i);
      phrase += value.slice(i + 1, end).replace(/\\(.)/g, '$1');
      i = end;
    } else if (char === '(') {
      const end = closingParen(value, i);
      comment += `${comment ? ' ' : ''}${value.slice(i + 1, end - 1).trim()}`;
      i = end - 1;
    } else if (char === '<') {
      const end = value.indexOf('>', i);
      angle = value.slice(i + 1, end < 0 ? value.length : end).trim();
      break;
    } else if (char === ',' && angle === undefined && phrase.includes('@')) {
      break; // The end of a first bare addr-spec in a list.
    } else {
      phrase += char;
    }
  }
  const text = phrase.replace(/\s+/g, ' ').trim();
  const result: MailboxText = {};
  if (comment) result.comment = comment;
  if (angle !== undefined) {
    result.addrSpec = angle;
    if (text) result.displayName = text;
  } else if (text) {
    result.addrSpec = text;
  }
  return result;
}

function closingQuote(value: string, open: number): number {
  for (let i = open + 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return value.length;
}

/** The index after the `)` closing the comment that opens at `open` (comments nest). */
function closingParen(value: string, open: number): number {
  let depth = 0;
  for (let i = open; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '(') depth++;
    else if (value[i] === ')' && --depth === 0) return i + 1;
  }
  return value.length;
}

/** What is wrong with an address as written, if anything. */
export function addressProblem(addrSpec: string): AddressProblem | undefined {
  if (ENCODED_WORD.test(addrSpec)) return 'encoded-word-in-address';
  return ADDR_SPEC.test(addrSpec) ? undefined : 'unparseable-address';
}

/** The sender of an address that is not what it looks like: kept as written, marked, never turned into another address. */
export function flaggedSender(written: string, problem: AddressProblem, shownAs: string, name: string | undefined): Sender {
  const named = name ? { name } : {};
  if (problem === 'encoded-word-in-address') {
    const domain = shownAs.split('@').pop() ?? '';
    const suspect: SenderFlag = {
      code: problem,
      reason: `The sender address "${written}" contains an encoded-word, which RFC 2047 §5 forbids in an address: mail programs may show it as "${shownAs}". It is not that address, and the mail is not from ${domain} as it appears.`,
    };
    const unusableAddress: SenderFlag = { code: problem, reason: `A reply to "${written}" would not go to "${shownAs}", the address mail programs show.` };
    return { id: written.toLowerCase(), address: written, ...named, suspect, unusableAddress };
  }
  const why = /\s/.test(written.split('@')[0] ?? '') ? 'its local part has spaces' : 'it does not parse';
  const unusableAddress: SenderFlag = {
    code: problem,
    reason: `The sender address "${written}" is not a valid address (${why}): it is kept as written, and no reply can be sent to it.`,
  };
  return { id: written.toLowerCase(), address: written, ...named, unusableAddress };
}

/** The sender of a delivery report with an empty From (`From: "" (Mail Delivery System)`, `Return-Path: <>`). */
export function mailerDaemon(name: string | undefined): Sender {
  return {
    id: 'mailer-daemon',
    name: name || 'Mail Delivery System',
    unusableAddress: { code: 'no-address', reason: 'The delivery report has an empty sender address: nothing can be sent back to it.' },
  };
}
