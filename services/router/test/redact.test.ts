import { describe, expect, it } from 'vitest';
import { redact, redactMessage } from '../src/redact.ts';

describe('redact', () => {
  it('masks Luhn-valid card numbers, grouped or not, keeping the last four digits', () => {
    expect(redact('my card 4111 1111 1111 1111 was charged').text).toBe('my card [card ****1111] was charged');
    expect(redact('卡号5500-0000-0000-0004被盗刷').text).toBe('卡号[card ****0004]被盗刷');
    expect(redact('card 4111111111111111').redactions.get('card_number')).toBe(1);
  });
  it('leaves numbers that are not card numbers alone', () => {
    expect(redact('order 4111111111111112 and phone 13800138000').text).toBe('order 4111111111111112 and phone 13800138000');
    expect(redact('I sent 1000 USD on 2026-11-20').text).toBe('I sent 1000 USD on 2026-11-20');
  });
  it('masks one-time codes next to the words that name them, in English and Chinese', () => {
    expect(redact('the OTP is 493021, please help').text).toBe('the OTP is [code], please help');
    expect(redact('verification code: 1234').text).toBe('verification code: [code]');
    expect(redact('我的验证码是 882731 收到了').text).toBe('我的验证码是 [code] 收到了');
    expect(redact('882731 is the code they sent').text).toBe('[code] is the code they sent');
  });
  it('masks passwords', () => {
    expect(redact('my password is hunter2!').text).toBe('my password is [password]');
    expect(redact('密码：abc12345').text).toBe('密码：[password]');
  });
  it('counts what it masked in text and subject together', () => {
    const out = redactMessage('code: 123456 and card 4111111111111111', 'OTP 654321 card 4111-1111-1111-1111');
    expect(out.text).toBe('code: [code] and card [card ****1111]');
    expect(out.subject).toBe('OTP [code] card [card ****1111]');
    expect(Object.fromEntries(out.redactions.map((r) => [r.kind, r.count]))).toEqual({ card_number: 2, one_time_code: 2 });
  });
});
