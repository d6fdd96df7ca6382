import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { aesKeyOf, decryptMessage, DecryptError, wechatSignature } from '../src/shared/crypto.ts';
import { normalizeOfficialAccountMessage } from '../src/oa/normalize.ts';
import { MalformedXmlError, parseWechatXml, UnsafeXmlError } from '../src/shared/xml.ts';
import { APP_ID, ENCODING_AES_KEY, encryptLikeWechat, fixture } from './wechat-peer.ts';

const normalizeFixture = (name: string) => InboundMessage.parse(normalizeOfficialAccountMessage(parseWechatXml(fixture(name)), { appId: APP_ID, agentMenuKeys: new Set(['MENU_TALK_TO_AGENT']) }, new Date('2026-11-24T16:00:00Z')));
const OPENID = 'oXk2t5Ecj3K8Wm9nQ4rLp1vB7dY0';

describe('WeChat callback XML', () => {
  it('reads flat fields, CDATA verbatim, MsgId as a string that keeps all 17 digits', () => {
    const fields = parseWechatXml(fixture('oa-text.xml'));
    expect(fields.MsgId).toBe('24581302561048576');
    expect(fields.Content).toBe('我的账户被扣了两次款，订单号 20261124-8812');
    expect(parseWechatXml('<xml><A><![CDATA[a &amp; <b>]]></A><B>x &amp; y &#20013;</B></xml>')).toEqual({ A: 'a &amp; <b>', B: 'x & y 中' });
  });

  it('refuses DOCTYPE and ENTITY declarations (XXE, entity bombs) but not a customer writing "<!DOCTYPE" in CDATA', () => {
    expect(() => parseWechatXml(fixture('oa-xxe.xml'))).toThrow(UnsafeXmlError);
    expect(() => parseWechatXml(fixture('oa-entity-bomb.xml'))).toThrow(UnsafeXmlError);
    expect(() => parseWechatXml('<xml><A>1</A><!ENTITY x "y"></xml>')).toThrow(UnsafeXmlError);
    expect(parseWechatXml('<xml><Content><![CDATA[my page says <!DOCTYPE html>]]></Content></xml>').Content).toBe('my page says <!DOCTYPE html>');
  });

  it('refuses malformed XML and documents whose root is not <xml>', () => {
    expect(() => parseWechatXml('<xml><A>1</xml>')).toThrow(MalformedXmlError);
    expect(() => parseWechatXml('<message><A>1</A></message>')).toThrow(MalformedXmlError);
  });
});

describe('safe-mode crypto', () => {
  const key = aesKeyOf(ENCODING_AES_KEY);

  it('signs as WeChat documents: sha1 of the sorted parts', () => {
    expect(wechatSignature('token', '1409304348', 'nonce')).toBe(createHash('sha1').update('1409304348noncetoken').digest('hex'));
    expect(wechatSignature('b', 'a', 'c')).toBe(wechatSignature('c', 'b', 'a'));
  });

  it('opens what WeChat encrypts, with the AppID, padding to 32-byte blocks', () => {
    for (const xml of [fixture('oa-text.xml'), '<xml></xml>', 'x'.repeat(1000)]) {
      expect(decryptMessage(encryptLikeWechat(xml), key)).toEqual({ message: xml, receiveId: APP_ID });
    }
  });

  it('refuses ciphertext made with another key or damaged', () => {
    const other = encryptLikeWechat('<xml></xml>', APP_ID, 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg');
    expect(() => decryptMessage(other, key)).toThrow(DecryptError);
    expect(() => decryptMessage('bm90IGJsb2Nrcw==', key)).toThrow(DecryptError);
  });
});

describe('Official Account messages as envelopes', () => {
  it('text: the content, the customer as sender, the conversation per account and openid', () => {
    const m = normalizeFixture('oa-text.xml');
    expect(m).toMatchObject({
      id: messageId('wechat', APP_ID, '24581302561048576'),
      channel: 'wechat',
      account: APP_ID,
      externalId: '24581302561048576',
      conversationKey: `oa:${APP_ID}:${OPENID}`,
      sender: { id: OPENID },
      text: '我的账户被扣了两次款，订单号 20261124-8812',
      sentAt: new Date(1764000000 * 1000).toISOString(),
      meta: { messageType: 'text', source: 'official-account' },
    });
  });

  it('image, voice, video and shortvideo: media ids as attachments with no bytes', () => {
    expect(normalizeFixture('oa-image.xml')).toMatchObject({
      meta: { messageType: 'image', mediaId: 'Gq3Vn7pV2w8m_media_image_01' },
      attachments: [{ name: 'Gq3Vn7pV2w8m_media_image_01', contentType: 'image/jpeg', size: 0, url: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0' }],
    });
    const voice = normalizeFixture('oa-voice.xml');
    expect(voice).toMatchObject({ text: '转账一直没有到账', meta: { messageType: 'voice', format: 'amr', recognition: true } });
    expect(voice.attachments).toEqual([{ name: 'Gq3Vn7pV2w8m_media_voice_01', contentType: 'audio/amr', size: 0 }]);
    expect(normalizeFixture('oa-video.xml')).toMatchObject({ meta: { messageType: 'video', thumbMediaId: 'Gq3Vn7pV2w8m_thumb_01' }, attachments: [{ contentType: 'video/mp4' }] });
    expect(normalizeFixture('oa-shortvideo.xml').meta).toMatchObject({ messageType: 'shortvideo', mediaId: 'Gq3Vn7pV2w8m_media_svideo_01' });
    for (const name of ['oa-image.xml', 'oa-voice.xml', 'oa-video.xml']) expect(normalizeFixture(name).attachments[0]!.storageRef).toBeUndefined();
  });

  it('location: latitude and longitude in meta; link: title, description and url', () => {
    expect(normalizeFixture('oa-location.xml')).toMatchObject({
      text: '上海市黄浦区人民大道200号',
      meta: { messageType: 'location', location: { lat: 31.230416, lng: 121.473701, scale: 15, label: '上海市黄浦区人民大道200号' } },
    });
    expect(normalizeFixture('oa-link.xml')).toMatchObject({
      text: 'Refund policy\nHow long refunds take\nhttps://example.com/refunds',
      meta: { messageType: 'link', link: { title: 'Refund policy', url: 'https://example.com/refunds' } },
    });
  });

  it('subscribe and unsubscribe: events, not messages; ids from sender, time and event, since events have no MsgId', () => {
    const subscribe = normalizeFixture('oa-subscribe.xml');
    expect(subscribe).toMatchObject({ externalId: `${OPENID}:1764000070:subscribe`, text: '', event: { type: 'subscribe', fields: {} }, meta: { messageType: 'event' } });
    expect(subscribe.id).toBe(messageId('wechat', APP_ID, `${OPENID}:1764000070:subscribe`));
    expect(normalizeFixture('oa-unsubscribe.xml').event).toEqual({ type: 'unsubscribe', fields: {} });
    expect(normalizeFixture('oa-subscribe.xml').id).toBe(subscribe.id);
  });

  it.each([
    ['a follow from a QR code with a scene (EventKey qrscene_…, the QR Ticket)', 'oa-subscribe-qrscene.xml', { type: 'subscribe', fields: { EventKey: 'qrscene_receipt_20261124', Ticket: expect.stringMatching(/^gQH47joA/) } }],
    ['a follower scanning a scene QR code', 'oa-scan.xml', { type: 'SCAN', fields: { EventKey: '20261124', Ticket: expect.stringMatching(/^gQH47joA/) } }],
    ['the location WeChat reports on its own, coordinates and precision as numbers', 'oa-location-report.xml', { type: 'LOCATION', fields: { Latitude: 31.230416, Longitude: 121.473701, Precision: 65 } }],
    ['a menu link opened', 'oa-view.xml', { type: 'VIEW', fields: { EventKey: 'https://wallet.example/help', MenuId: '208379533' } }],
  ])('%s: kept as an event with every field, opening no ticket', (_what, name, event) => {
    const m = normalizeFixture(name);
    expect(m.text).toBe('');
    expect(m.event).toEqual(event);
    expect(m.event!.opensTicket).toBeUndefined();
  });

  it('a CLICK on a menu item configured as "talk to an agent" asks for a person; any other click does not', () => {
    expect(normalizeFixture('oa-click-agent.xml').event).toEqual({ type: 'CLICK', fields: { EventKey: 'MENU_TALK_TO_AGENT' }, opensTicket: true });
    const other = normalizeOfficialAccountMessage(parseWechatXml(fixture('oa-click-agent.xml')), { appId: APP_ID }, new Date());
    expect(other.event).toEqual({ type: 'CLICK', fields: { EventKey: 'MENU_TALK_TO_AGENT' } });
  });
});
