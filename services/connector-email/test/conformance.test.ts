import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { createEmailConnector, type EmailConnector } from '../src/index.ts';
import { startDovecot, startSmtpCapture, type Dovecot, type SmtpCapture } from '@switchboard/testkit';
import { SUPPORT, SUPPORT_ADDRESS, customerMail, testConfig } from './peers.ts';

let dovecot: Dovecot;
let smtp: SmtpCapture;
let delivered: { raw: string; messageId: string } | undefined;

connectorConformance<EmailConnector>({
  name: 'email (Dovecot IMAP + smtp-server)',
  async setup() {
    [dovecot, smtp] = await Promise.all([startDovecot([SUPPORT]), startSmtpCapture()]);
  },
  async teardown() {
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  },
  create: () => createEmailConnector(testConfig(dovecot, smtp.port)),
  async deliver(_connector, marker) {
    const messageId = `${marker}@customer.test`;
    delivered = { messageId, raw: customerMail({ messageId, text: `Hello, my payment was declined. ${marker}` }) };
    await dovecot.append(SUPPORT, [delivered.raw]);
  },
  async redeliver() {
    // The same mail again (same Message-ID), as a second delivery of it by the MTA would leave it.
    await dovecot.append(SUPPORT, [delivered!.raw]);
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'email',
      account: SUPPORT_ADDRESS,
      conversationKey: `email:${delivered!.messageId}`,
      recipient: { id: 'alice@customer.test', address: 'alice@customer.test', name: 'Alice Chen' },
      inReplyTo: { messageId: 'msg_00000000000000000000000000000000', externalId: delivered!.messageId, references: [] },
      subject: 'My card payment failed',
      text: 'placeholder',
    }),
    received: async (text) => smtp.mails.some((mail) => mail.parsed.text?.includes(text)),
  },
});
