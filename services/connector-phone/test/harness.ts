import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { DeadLetter, InboundMessage } from '@switchboard/schema';
import { kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { PhoneConnector, type PhoneConfig, type PhoneConnectorOptions } from '../src/index.ts';
import { twilioSignature } from './twilio-fixtures.ts';

export const PUBLIC_URL = 'https://hotline.example.com';

/** The connector hosted on the real broker (its own topics), its routes on a local HTTP server. */
export class Harness {
  env!: Awaited<ReturnType<typeof kafkaForTest>>;
  producer!: BatchingProducer;
  dataDir = mkdtempSync(join(tmpdir(), 'sb-phone-'));
  connector!: PhoneConnector;
  private hosted: HostedConnector | undefined;
  private http: HttpServer | undefined;
  url = '';

  constructor(
    readonly config: PhoneConfig,
    private readonly options: PhoneConnectorOptions = {},
  ) {}

  async setup(): Promise<void> {
    this.env = await kafkaForTest();
    this.producer = new BatchingProducer(this.env.kafka);
    await this.producer.connect();
    await this.start();
  }

  async start(): Promise<void> {
    this.connector = new PhoneConnector(this.config, this.options);
    const checkpoints = await CheckpointStore.load(this.env.kafka, this.producer, this.env.topics.checkpoints);
    this.hosted = await hostConnector(this.connector, { kafka: this.env.kafka, producer: this.producer, topics: this.env.topics, checkpoints, dataDir: this.dataDir });
    this.http = new HttpServer();
    this.http.mount(this.connector.routes);
    this.url = await this.http.listen();
  }

  async stop(): Promise<void> {
    await this.http?.close();
    await this.hosted?.stop();
    this.http = undefined;
    this.hosted = undefined;
  }

  async teardown(): Promise<void> {
    await this.stop();
    await this.producer?.disconnect();
  }

  /** A Twilio callback as Twilio posts it: form-encoded, signed for PHONE_PUBLIC_URL + path. */
  postTwilio(path: string, params: Record<string, string>, signature: string | null = twilioSignature(this.config.twilio!.authToken, `${PUBLIC_URL}${path}`, params)): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }), 'user-agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
  }

  postCti(body: string | FormData | URLSearchParams, token = this.config.ctiToken!, contentType?: string): Promise<Response> {
    return fetch(`${this.url}/webhooks/cti/${token}`, { method: 'POST', ...(contentType ? { headers: { 'content-type': contentType } } : {}), body });
  }

  async inbound(): Promise<InboundMessage[]> {
    return (await readAll(this.env.kafka, this.env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
  }

  /** Inbound messages of one call (its message and edits), once `done` holds for them. */
  async callMessages(callId: string, done: (messages: InboundMessage[]) => boolean, timeoutMs = 20_000): Promise<InboundMessage[]> {
    const ofCall = (values: string[]) => values.map((v) => InboundMessage.parse(JSON.parse(v))).filter((m) => m.meta.callId === callId);
    const records = await readTopic(this.env.kafka, this.env.topics.inbound, (rs) => done(ofCall(rs.map((r) => r.value))), timeoutMs);
    return ofCall(records.map((r) => r.value));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return (await readAll(this.env.kafka, this.env.topics.dlq)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
  }
}
