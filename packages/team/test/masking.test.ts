import { describe, expect, it } from 'vitest';
import { can, ROLES, seesCustomerDetails } from '../src/roles.ts';
import { maskEmail, maskName, maskPerson, maskPhone, maskReference, maskText } from '../src/masking.ts';

describe('masking for analysts', () => {
  it.each([
    ['Ann Lee', 'A•• L••'],
    ['陈静', '陈•'],
    ['Li', 'L•'],
    ['X', 'X•'],
  ])('masks the name %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it.each([
    ['TX20261206001', 'TX2•••'],
    ['cus_42abc', 'cus•••'],
    ['RF9', '•••'],
  ])('masks the wallet reference %s', (id, masked) => expect(maskReference(id)).toBe(masked));

  it('masks addresses and numbers, in text too, and leaves what is neither', () => {
    expect(maskEmail('ann.lee@example.com')).toBe('a•••@example.com');
    expect(maskPhone('+8613800138000')).toBe('+86•••••••8000');
    expect(maskPhone('010 5555 0100')).toBe('•••••••0100');
    expect(maskText('Call me on +86 138 0013 8000 or mail ann@example.com. Order 4471 was 38.50 CNY.')).toBe(
      'Call me on +86•••••••8000 or mail a•••@example.com. Order 4471 was 38.50 CNY.',
    );
    expect(maskPerson({ id: 'ann.lee@example.com', name: 'Ann Lee', address: 'ann.lee@example.com', phone: '+8613800138000' })).toEqual({
      id: 'a•••••',
      name: 'A•• L••',
      address: 'a•••@example.com',
      phone: '+86•••••••8000',
    });
  });
});

describe('roles', () => {
  it.each([
    ['agent', ['tickets.read', 'tickets.reply', 'tickets.update'], ['tickets.read.all', 'tickets.assign', 'users.manage', 'audit.read', 'tickets.export', 'wallet.act']],
    ['supervisor', ['tickets.read.all', 'tickets.assign', 'audit.read', 'tickets.export', 'wallet.act'], ['users.manage', 'channels.manage', 'corrections.review']],
    ['analyst', ['tickets.read.all', 'tickets.export'], ['tickets.reply', 'tickets.update', 'tickets.assign', 'wallet.act']],
    ['admin', ['users.manage', 'channels.manage', 'audit.read', 'tickets.reply', 'corrections.review', 'wallet.act'], []],
  ] as const)('%s', (role, allowed, denied) => {
    for (const p of allowed) expect(can(role, p), p).toBe(true);
    for (const p of denied) expect(can(role, p), p).toBe(false);
  });
  it('shows customer details to every role but analysts', () => {
    expect(ROLES.filter(seesCustomerDetails)).toEqual(['admin', 'supervisor', 'agent']);
  });
});
