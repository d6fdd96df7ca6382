import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { eventually } from '@switchboard/testkit';
import { contactConversationKey, createWechatConnector, type WechatConnector } from '../src/index.ts';

const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
const bot = mocker.createContact({ name: 'Switchboard bot' });
const customer = mocker.createContact({ name: 'Customer' });
const received: string[] = [];
(customer as unknown as NodeJS.EventEmitter).on('message', (message: { payload: { text?: string; talkerId: string } }) => {
  if (message.payload.talkerId === bot.id && message.payload.text) received.push(message.payload.text);
});

function messageIdWithText(marker: string): string {
  for (const [id, payload] of mocker.cacheMessagePayload) if (payload.text?.includes(marker) && payload.talkerId === customer.id) return id;
  throw new Error(`no mock message contains ${marker}`);
}

connectorConformance<WechatConnector>({
  name: 'wechat (Wechaty bot, mock puppet)',
  create: () => createWechatConnector({ wechaty: { puppet: 'wechaty-puppet-mock', maxFileBytes: 1024 * 1024 } }, { puppet }),
  async deliver(connector, marker) {
    if (!puppet.isLoggedIn) mocker.login(bot);
    await eventually(() => connector.health().ready, 10_000, 'bot logged in');
    customer.say(`我的红包 ${marker} 没收到`).to(bot);
  },
  async redeliver(_connector, marker) {
    // What a puppet does after a reconnect: the same message announced again.
    puppet.emit('message', { messageId: messageIdWithText(marker) });
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'wechat',
      account: bot.id,
      conversationKey: contactConversationKey(customer.id),
      recipient: { id: customer.id },
      text: 'replaced by the kit',
    }),
    received: async (text) => received.includes(text),
  },
});
