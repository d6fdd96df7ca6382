import { describe, expect, it } from 'vitest';
import { stripQuotedText } from '../src/quotes.ts';

/** What the customer wrote, the client's attribution line(s), then the quote it introduces. */
const reply = (said: string, attribution: string, quote = '> Ihre Anfrage wird bearbeitet.\n> Kundenservice') => `${said}\n\n${attribution}\n${quote}`;

describe('stripQuotedText: attribution lines in other languages', () => {
  it.each([
    ['German, "schrieb" before the name', 'Danke, die Karte geht wieder.', 'Am 03.02.2025 14:20, schrieb Kundenservice Team:'],
    ['German, "um" and an address', 'Die Überweisung ist immer noch nicht da.', 'Am 03.02.2025 um 14:20 schrieb Kundenservice <service@wallet.test>:'],
    ['German, Thunderbird', 'Bitte rufen Sie mich an.', 'Kundenservice Team schrieb:'],
    ['French, Gmail', 'Merci, le virement est arrivé.', 'Le 3 févr. 2025 à 14:20, Service Client <service@wallet.test> a écrit :'],
    ['French, Thunderbird', 'Toujours rien reçu.', 'Service Client a écrit :'],
    ['Spanish, Gmail', 'Gracias, ya funciona la tarjeta.', 'El lun, 3 feb 2025 a las 14:20, Servicio al Cliente (<servicio@wallet.test>) escribió:'],
    ['Italian, Gmail', 'Grazie, ora funziona.', 'Il giorno lun 3 feb 2025 alle ore 14:20 Assistenza <assistenza@wallet.test> ha scritto:'],
    ['Portuguese, Gmail', 'Obrigado, já recebi.', 'Em seg., 3 de fev. de 2025 às 14:20, Suporte <suporte@wallet.test> escreveu:'],
    ['Dutch, Gmail', 'Bedankt, het werkt weer.', 'Op ma 3 feb 2025 om 14:20 schreef Klantenservice <service@wallet.test>:'],
    ['Japanese, Gmail', 'ありがとうございます。解決しました。', '2025年2月3日(月) 14:20 カスタマーサポート <support@wallet.test>:'],
    ['Japanese, Thunderbird', 'まだ返金されていません。', '2025/02/03 14:20 サポートさんは書きました:'],
    ['Simplified Chinese, Gmail', '好的，已经收到了。', '在 2025年2月3日周一 14:20，钱包客服 <support@wallet.test> 写道：'],
    ['Simplified Chinese, Apple Mail', '还是没有到账。', '钱包客服 <support@wallet.test> 于2025年2月3日周一 下午2:20写道：'],
    ['Traditional Chinese', '退款還沒有到帳。', '錢包客服 於 2025年2月3日 週一 下午2:20 寫道：'],
  ])('%s', (_, said, attribution) => {
    expect(stripQuotedText(reply(said, attribution))).toBe(said);
  });

  it.each([
    ['German', 'Am 03.02.2025 um 14:20 schrieb Kundenservice Team', '<service@wallet.test>:'],
    ['French', 'Le lun. 3 févr. 2025 à 14:20, Service Client <service@wallet.test>', 'a écrit :'],
    ['Spanish', 'El lun, 3 feb 2025 a las 14:20, Servicio al Cliente', '<servicio@wallet.test> escribió:'],
  ])('%s attribution wrapped over two lines', (_, first, second) => {
    expect(stripQuotedText(reply('Noch eine Frage zur Gebühr.', `${first}\n${second}`))).toBe('Noch eine Frage zur Gebühr.');
  });

  it('a customer line just above an attribution is kept', () => {
    expect(stripQuotedText(reply('Merci beaucoup.', 'Service Client a écrit :'))).toBe('Merci beaucoup.');
    expect(stripQuotedText('Vielen Dank!\nAm 03.02.2025 14:20, schrieb Kundenservice Team:\n> alt')).toBe('Vielen Dank!');
    // Opening like an attribution ("Am", "Le") does not make the customer's line one.
    expect(stripQuotedText('Am Montag habe ich überwiesen.\nKundenservice Team schrieb:\n> alt')).toBe('Am Montag habe ich überwiesen.');
    expect(stripQuotedText("Le virement n'est pas arrivé.\nService Client a écrit :\n> ancien")).toBe("Le virement n'est pas arrivé.");
  });

  it('the same words inside what the customer says stay in the text', () => {
    const quotingAFriend = '我于3月1日给朋友转账，他写道：\n钱没有收到。\n请帮忙查一下。';
    expect(stripQuotedText(quotingAFriend)).toBe(quotingAFriend);
    const inTheMail = '前回のメールに書きました:\n注文番号は 5521 です。';
    expect(stripQuotedText(inTheMail)).toBe(inTheMail);
    const plans = 'Am Montag habe ich überwiesen.\nDas Geld ist nicht angekommen.';
    expect(stripQuotedText(plans)).toBe(plans);
  });

  it.each([
    ['German', 'Von: Kundenservice <service@wallet.test>\nGesendet: Montag, 3. Februar 2025 14:20\nAn: Kunde <kunde@mail.test>\nBetreff: Ihre Anfrage'],
    ['French', 'De : Service Client <service@wallet.test>\nEnvoyé : lundi 3 février 2025 14:20\nÀ : Client <client@mail.test>\nObjet : Votre demande'],
    ['Spanish', 'De: Servicio al Cliente <servicio@wallet.test>\nEnviado: lunes, 3 de febrero de 2025 14:20\nPara: Cliente <cliente@mail.test>\nAsunto: Su consulta'],
    ['Japanese', '差出人: カスタマーサポート <support@wallet.test>\n送信日時: 2025年2月3日 14:20\n宛先: 山田太郎 <taro@mail.test>\n件名: お問い合わせ'],
  ])('%s Outlook header block is cut', (_, block) => {
    expect(stripQuotedText(`Immer noch kein Geld.\n\n${block}\n\nIhre Anfrage wird bearbeitet.`)).toBe('Immer noch kein Geld.');
  });

  it.each(['-----Ursprüngliche Nachricht-----', "-----Message d'origine-----", '-----Mensaje original-----', '-----元のメッセージ-----'])('separator %s is cut', (separator) => {
    expect(stripQuotedText(`Bitte prüfen.\n\n${separator}\nVon: Kundenservice\nalt`)).toBe('Bitte prüfen.');
  });

  it('a forward in German keeps the forwarded mail', () => {
    const text = 'Ist diese Mail echt?\n\n---------- Weitergeleitete Nachricht ---------\nVon: Bank <bank@phish.test>\nBetreff: Konto gesperrt\n\nKlicken Sie hier.';
    expect(stripQuotedText(text)).toBe(text);
  });
});
