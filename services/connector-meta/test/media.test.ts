/**
 * The files customers send, kept before the message reaches Kafka: WhatsApp media looked up by id and
 * downloaded with the number's token (checked against the sha256 WhatsApp gave), Messenger files from
 * the CDN link; a file that cannot be fetched leaves the message whole, with its metadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '@switchboard/schema';
import { eventually, readAll } from '@switchboard/testkit';
import { APP_SECRET, metaConfig, NUMBER, PAGE, PSID, startHarness, WA_ID, type Harness } from './harness.ts';
import { messengerAttachment, signedPost, whatsappImage } from './payloads.ts';

const MAX_BYTES = 64 * 1024;
let h: Harness;
beforeAll(async () => {
  h = await startHarness((base) => ({ ...metaConfig(base), mediaMaxBytes: MAX_BYTES }));
});
afterAll(() => h?.stop());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const seconds = () => Math.floor(Date.now() / 1000);

async function delivered(externalId: string): Promise<InboundMessage> {
  return eventually(async () => (await readAll(h.env.kafka, h.env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value))).find((m) => m.externalId === externalId), 20_000, externalId);
}

/** The bytes the gateway would serve for a kept attachment (its storageRef is relative to the connectors' root). */
const keptBytes = (storageRef: string) => readFileSync(join(dirname(h.dataDir), storageRef));

describe('files customers send on Meta channels', () => {
  it('keeps a WhatsApp image: looked up by id, downloaded with the token, checked against its sha256', async () => {
    const photo = randomBytes(5_000);
    h.fake.addWhatsAppMedia('1089234567', photo, 'image/jpeg', NUMBER.token);
    const wamid = `wamid.media-${randomBytes(4).toString('hex')}`;
    const response = await signedPost(h.url, APP_SECRET, whatsappImage(NUMBER.phoneNumberId, WA_ID, wamid, { id: '1089234567', sha256: sha256(photo), caption: 'the failed payment' }, seconds()));
    expect(response.status).toBe(200);
    // The 200 came after Kafka had the message, with the file already kept.
    const [file] = (await delivered(wamid)).attachments;
    expect(file).toMatchObject({ contentType: 'image/jpeg', size: photo.length, sha256: sha256(photo) });
    expect(keptBytes(file!.storageRef!).equals(photo)).toBe(true);
    expect(h.fake.mediaRequests).toEqual(expect.arrayContaining(['lookup 1089234567', 'download 1089234567']));
  });

  it('keeps a Messenger file from its CDN link, with the type the server gives', async () => {
    const receipt = randomBytes(3_000);
    const url = h.fake.addCdnFile('receipt.png', receipt, 'image/png');
    const mid = `m_media_${randomBytes(4).toString('hex')}`;
    expect((await signedPost(h.url, APP_SECRET, messengerAttachment(PAGE.pageId, PSID, mid, 'image', url, Date.now()))).status).toBe(200);
    const [file] = (await delivered(mid)).attachments;
    expect(file).toMatchObject({ name: 'receipt.png', contentType: 'image/png', size: receipt.length, url });
    expect(keptBytes(file!.storageRef!).equals(receipt)).toBe(true);
  });

  it('passes on the message when a file cannot be kept: unknown media, bytes that do not match, a file over the limit', async () => {
    const before = (h.connector.health().details as { mediaNotKept: number }).mediaNotKept;
    const tampered = randomBytes(1_000);
    h.fake.addWhatsAppMedia('2000000001', tampered, 'image/jpeg', NUMBER.token);
    const large = h.fake.addCdnFile('statement.pdf', randomBytes(MAX_BYTES + 1), 'application/pdf');
    const cases = [
      whatsappImage(NUMBER.phoneNumberId, WA_ID, 'wamid.unknown-media', { id: '2999999999', sha256: sha256(tampered) }, seconds()),
      whatsappImage(NUMBER.phoneNumberId, WA_ID, 'wamid.tampered-media', { id: '2000000001', sha256: sha256(randomBytes(8)) }, seconds()),
      messengerAttachment(PAGE.pageId, PSID, 'm_large_file', 'file', large, Date.now()),
    ];
    for (const payload of cases) expect((await signedPost(h.url, APP_SECRET, payload)).status).toBe(200);
    expect((await delivered('wamid.unknown-media')).attachments[0]).toMatchObject({ storageRef: 'whatsapp-media:2999999999', size: 0 });
    expect((await delivered('wamid.tampered-media')).attachments[0]).toMatchObject({ storageRef: 'whatsapp-media:2000000001', size: 0 });
    expect((await delivered('m_large_file')).attachments[0]).toMatchObject({ url: large, size: 0 });
    expect((await delivered('m_large_file')).attachments[0]).not.toHaveProperty('storageRef');
    expect((h.connector.health().details as { mediaNotKept: number }).mediaNotKept).toBe(before + 3);
  });
});
