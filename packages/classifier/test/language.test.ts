import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../src/language.ts';

describe('detectLanguage', () => {
  it.each([
    ['我的账户被盗了，怎么冻结', 'zh-Hans'],
    ['为什么转账一直失败', 'zh-Hans'],
    ['我的帳戶被盜了，怎麼凍結', 'zh-Hant'],
    ['點解我轉數唔成功？', 'zh-Hant'],
    ['我的card被盗刷了', 'zh-Hans'],
    ['transfer失敗了好幾次，到底行不行', 'zh-Hant'],
    ['退款', 'zh-Hans'],
  ])('%s → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it.each([
    ['@wallet my payment failed again!!', 'en'],
    ['Hello, I would like to know why my card was declined.', 'en'],
    ['pls fix asap', 'en'],
    ['refund?', 'en'],
    ['I DIDN’T GET MY MONEY', 'en'],
    ["where's it", 'en'],
  ])('%s → en', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it.each([
    ['Hola, mi tarjeta fue rechazada ayer en la tienda', 'other'],
    ['Bonjour, où est mon remboursement ?', 'other'],
    ['Здравствуйте, мой перевод не дошёл', 'other'],
    ['カードが使えません', 'other'],
    ['😡😡😡', 'other'],
    ['12345', 'other'],
  ])('%s → other', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});
