/**
 * What an analyst sees of a customer: the router already masked card numbers, codes and passwords in the
 * text; on top, names, email addresses and phone numbers are masked here, in the text and in the sender.
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@([\p{L}\p{N}-]+\.)+[\p{L}]{2,}/gu;
// Seven or more digits, with the separators people type: +86 138 0013 8000, (010) 5555-0100.
const PHONE = /\+?\d[\d\s().-]{5,}\d/g;

/** `Ann Lee` → `A•• L••`; `陈静` → `陈•`. */
export function maskName(name: string): string {
  return name
    .split(/(\s+)/)
    .map((part) => (/^\s+$/.test(part) || part.length === 0 ? part : `${[...part][0]}${'•'.repeat(Math.max(1, [...part].length - 1))}`))
    .join('');
}

/** `ann.lee@example.com` → `a•••@example.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at > 0 ? `${address[0]}•••${address.slice(at)}` : '•••';
}

/** `+8613800138000` → `+86•••••••8000`: the country code and the last four digits stay. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return phone;
  const country = phone.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : '';
  return `${country}${'•'.repeat(digits.length - 4 - (country ? 2 : 0))}${digits.slice(-4)}`;
}

export function maskText(text: string): string {
  return text.replace(EMAIL, (m) => maskEmail(m)).replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? maskPhone(m) : m));
}

export interface PersonFields {
  id: string;
  name?: string;
  address?: string;
  phone?: string;
}

/** A sender or customer as an analyst sees it: the channel id kept only as an opaque hint. */
export function maskPerson<P extends PersonFields>(person: P): P {
  return {
    ...person,
    id: maskText(person.id).replace(/^(.{3}).{4,}$/, '$1•••'),
    ...(person.name !== undefined ? { name: maskName(person.name) } : {}),
    ...(person.address !== undefined ? { address: maskText(person.address) } : {}),
    ...(person.phone !== undefined ? { phone: maskPhone(person.phone) } : {}),
  };
}

/**
 * A wallet reference as an analyst sees it (a transaction, refund or customer id): a three-character
 * hint of its kind (`TX2•••`, `cus•••`), nothing from a short one. The amounts beside it stay: sums per
 * category are what analysts are for, and an id is what would let one look an account up.
 */
export function maskReference(id: string): string {
  return [...id].length >= 7 ? `${[...id].slice(0, 3).join('')}•••` : '•••';
}
