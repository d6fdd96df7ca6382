import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBox } from 'file-box';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { types } from 'wechaty-puppet';
import { hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { createLogger, sha256Hex } from '@switchboard/runtime';
import { DeliveryReport, InboundMessage, messageId, type InboundMessageInput, type OutboundMessage } from '@switchboard/schema';
import { eventually, kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { BotStartError, WechatyBot } from '../src/bot/bot.ts';
import { createWechatConnector, type WechatConnector } from '../src/index.ts';

type MockContact = ReturnType<mock.Mocker['createContact']>;
type MockRoom = ReturnType<mock.Mocker['createRoom']>;

/** Text the mock peer received from the bot (the puppet routes the bot's `say` back as a mock message). */
function inbox(conversation: MockContact | MockRoom): string[] {
  const texts: string[] = [];
  (conversation as unknown as NodeJS.EventEmitter).on('message', (message: { payload: { text?: string } }) => {
    if (message.payload.text) texts.push(message.payload.text);
  });
  return texts;
}

/**
 * A file message of type Attachment. The mock's `say(fileBox)` types files by media type and turns
 * every PDF into Unknown, so this does what `say` does with the type set as a real puppet sets it.
 */
function sayFile(mocker: mock.Mocker, from: MockContact, to: MockContact, file: FileBox): void {
  const id = `file-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  mocker.cacheFileBoxPayload.set(id, file.toJSON());
  mocker.MessageMock.create({ id, talkerId: from.id, listenerId: to.id, timestamp: Date.now(), type: types.Message.Attachment });
  mocker.puppet.emit('message', { messageId: id });
}

describe('WeChat connector, Wechaty bot part (wechaty-puppet-mock), on Kafka', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  let connector: WechatConnector;
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  let bot: MockContact;
  let customer: MockContact;
  let other: MockContact;
  let room: MockRoom;
  const run = Date.now().toString(36);
  const records = async (done: (ms: InboundMessage[]) => boolean) =>
    (await readTopic(env.kafka, env.topics.inbound, (rs) => done(rs.map((r) => InboundMessage.parse(JSON.parse(r.value)))))).map((r) => InboundMessage.parse(JSON.parse(r.value)));

  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    connector = createWechatConnector({ wechaty: { puppet: 'wechaty-puppet-mock', maxFileBytes: 1024 * 1024 } }, { puppet });
    hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: mkdtempSync(join(tmpdir(), 'sb-wechaty-')) });
    expect(connector.health().ready).toBe(false);

    bot = mocker.createContact({ name: 'Switchboard 客服' });
    customer = mocker.createContact({ name: '李雷' });
    other = mocker.createContact({ name: '韩梅梅' });
    room = mocker.createRoom({ topic: 'VIP 客户群', memberIdList: [bot.id, customer.id, other.id] });
    mocker.scan('https://login.weixin.qq.com/l/mock', 2);
    mocker.login(bot);
    await eventually(() => connector.health().ready, 10_000, 'bot logged in');
  }, 60_000);

  afterAll(async () => {
    await hosted?.stop();
    await producer?.disconnect();
  });

  it('is ready once logged in, with the scan and login recorded in health', () => {
    const health = connector.health();
    expect(health.status).toBe('wechaty: logged in as Switchboard 客服');
    expect(health.details?.wechaty).toMatchObject({ details: { user: { id: bot.id }, lastScan: { status: 'Waiting' } } });
  });

  it('emits a 1:1 message as a contact conversation, the talker as sender', async () => {
    customer.say(`contact-${run} 我的卡被扣了两次`).to(bot);
    const [message] = (await records((ms) => ms.some((m) => m.text.includes(`contact-${run}`)))).filter((m) => m.text.includes(`contact-${run}`));
    expect(message).toMatchObject({
      channel: 'wechat',
      account: bot.id,
      conversationKey: `contact:${customer.id}`,
      sender: { id: customer.id, name: '李雷' },
      meta: { messageType: 'text', source: 'wechaty' },
    });
    expect(message!.id).toBe(messageId('wechat', bot.id, message!.externalId));
  });

  it('emits a room message with the room as the conversation', async () => {
    other.say(`room-${run} 提现什么时候到账?`).to(room);
    const [message] = (await records((ms) => ms.some((m) => m.text.includes(`room-${run}`)))).filter((m) => m.text.includes(`room-${run}`));
    expect(message).toMatchObject({
      conversationKey: `room:${room.id}`,
      sender: { id: other.id, name: '韩梅梅' },
      meta: { messageType: 'text', room: { id: room.id, topic: 'VIP 客户群' } },
    });
  });

  it('records a file with its metadata and keeps its bytes under the data dir', async () => {
    const bytes = Buffer.from(`%PDF-1.4 statement ${run}\n`.repeat(50));
    sayFile(mocker, customer, bot, FileBox.fromBase64(bytes.toString('base64'), `statement-${run}.pdf`));
    const named = (m: InboundMessage) => m.attachments.some((a) => a.name === `statement-${run}.pdf`);
    const [message] = (await records((ms) => ms.some(named))).filter(named);
    expect(message!.meta.messageType).toBe('file');
    expect(message!.text).toBe('');
    const [attachment] = message!.attachments;
    expect(attachment).toMatchObject({ contentType: 'application/pdf', size: bytes.length, sha256: sha256Hex(bytes) });
    expect(existsSync(attachment!.storageRef!)).toBe(true);
    expect(readFileSync(attachment!.storageRef!).equals(bytes)).toBe(true);
  });

  it('records an image in a room with its type', async () => {
    const png = Buffer.from(`\x89PNG fake image ${run}`);
    other.say(FileBox.fromBase64(png.toString('base64'), `receipt-${run}.png`)).to(room);
    const named = (m: InboundMessage) => m.attachments.some((a) => a.name === `receipt-${run}.png`);
    const [message] = (await records((ms) => ms.some(named))).filter(named);
    expect(message).toMatchObject({ conversationKey: `room:${room.id}`, meta: { messageType: 'image' }, attachments: [{ contentType: 'image/png', size: png.length, sha256: sha256Hex(png) }] });
  });

  it("sends outbound replies with say() to the contact and the room, and ignores the bot's own messages", async () => {
    const customerInbox = inbox(customer);
    const roomInbox = inbox(room);
    const outbound = (id: string, conversationKey: string, text: string): OutboundMessage => ({
      schemaVersion: 1,
      id,
      kind: 'reply',
      ticketId: 't-1',
      ticketNumber: 'SB-000001',
      channel: 'wechat',
      account: bot.id,
      conversationKey,
      recipient: { id: customer.id },
      public: false,
      text,
      createdAt: new Date().toISOString(),
      meta: {},
    });
    const toContact = outbound(`out-contact-${run}`, `contact:${customer.id}`, `reply-${run} 已为您退款`);
    const toRoom = outbound(`out-room-${run}`, `room:${room.id}`, `reply-${run} 群里的各位好`);
    await producer.sendJson(env.topics.outbound, [
      { key: toContact.conversationKey, value: toContact },
      { key: toRoom.conversationKey, value: toRoom },
    ]);
    await eventually(() => customerInbox.includes(toContact.text) && roomInbox.includes(toRoom.text), 20_000, 'mock contact and room received the replies');
    const reports = await readTopic(env.kafka, env.topics.delivery, (rs) => rs.length >= 2);
    expect(reports.map((r) => DeliveryReport.parse(JSON.parse(r.value)).status)).toEqual(['sent', 'sent']);

    // The bot's own messages came back through the puppet; a later customer message proves the
    // connector processed past them without emitting them.
    customer.say(`after-${run}`).to(bot);
    await records((ms) => ms.some((m) => m.text === `after-${run}`));
    const all = (await readAll(env.kafka, env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    expect(all.filter((m) => m.text.startsWith(`reply-${run}`))).toHaveLength(0);
    expect(all.filter((m) => m.sender.id === bot.id)).toHaveLength(0);
  });

  it('is not ready after logout', async () => {
    await puppet.logout('kicked out by the phone');
    await eventually(() => !connector.health().ready, 10_000, 'not ready after logout');
    expect(connector.health().status).toBe('wechaty: logged out');
  });
});

describe('Wechaty bot started from the puppet name in config', () => {
  it('loads the puppet module, logs in and delivers messages', async () => {
    const delivered: InboundMessageInput[] = [];
    const wechaty = new WechatyBot({ puppet: 'wechaty-puppet-mock', maxFileBytes: 1024 });
    await wechaty.start({
      logger: createLogger('test.wechaty'),
      dataDir: mkdtempSync(join(tmpdir(), 'sb-wechaty-name-')),
      deliver: async (message) => void delivered.push(message),
      unusable: async () => undefined,
    });
    try {
      expect(wechaty.puppet).toBeInstanceOf(PuppetMock);
      expect(wechaty.health()).toMatchObject({ ready: false, status: 'starting' });
      const mocker = (wechaty.puppet as PuppetMock).mocker;
      const user = mocker.createContact({ name: 'bot' });
      const someone = mocker.createContact({ name: 'someone' });
      mocker.login(user);
      await eventually(() => wechaty.health().ready, 10_000, 'logged in');
      someone.say('hello from the mock').to(user);
      await eventually(() => delivered.length === 1, 10_000, 'message delivered');
      expect(delivered[0]).toMatchObject({ account: user.id, conversationKey: `contact:${someone.id}`, text: 'hello from the mock' });
    } finally {
      await wechaty.stop();
    }
  });

  it('fails to start with a clear error when the puppet module is not installed', async () => {
    const wechaty = new WechatyBot({ puppet: 'wechaty-puppet-not-installed', maxFileBytes: 1024 });
    const context = { logger: createLogger('test.wechaty'), dataDir: tmpdir(), deliver: async () => undefined, unusable: async () => undefined };
    await expect(wechaty.start(context)).rejects.toThrow(BotStartError);
    await expect(wechaty.start(context)).rejects.toThrow(/wechaty-puppet-not-installed/);
    expect(wechaty.health()).toMatchObject({ ready: false });
  });
});
