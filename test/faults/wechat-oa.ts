import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundMessage } from '@switchboard/schema';
import { APP_ID, ENCODING_AES_KEY, TOKEN, safeModeCallback, textMessageXml } from '../../services/connector-wechat/test/wechat-peer.ts';
import { ServiceProcess } from './processes.ts';

/** WeChat waits 5 s for an answer, then sends the callback again. */
const WECHAT_WAITS_MS = 5_000;
const CONCURRENT_CALLBACKS = 8;

/**
 * The WeChat side of the `wechat-oa-kill9` scenario: the WeChat connector as its own process (its
 * Official Account in safe mode), fed the workload as callbacks encrypted and signed as WeChat sends them,
 * each sent again until it hears "success", as WeChat does. It can kill the connector with `kill -9` the
 * moment after an answer: whatever was answered must then be in Kafka or in the connector's journal.
 */
export class OfficialAccountFeed {
  readonly connector: ServiceProcess;
  answered = 0;
  private url = '';
  private killAfterAnswer: { answersLeft: number; killed: () => void } | undefined;
  private readonly dataDir: string;

  constructor(logDir: string, serviceEnv: NodeJS.ProcessEnv) {
    this.dataDir = join(logDir, 'wechat-data');
    this.connector = new ServiceProcess(
      'connector-wechat',
      'services/connector-wechat/src/main.ts',
      { ...serviceEnv, PORT: '0', SWITCHBOARD_DATA_DIR: this.dataDir, WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_APPID: APP_ID, WECHAT_OA_ENCODING_AES_KEY: ENCODING_AES_KEY },
      join(logDir, 'connector-wechat.log'),
    );
  }

  /** Waits for the latest start of the connector to listen, and reads its address from its log. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const latest = readFileSync(this.connector.logPath, 'utf8').split('\n=== start #').pop() ?? '';
      const line = latest.split('\n').find((l) => l.includes('"connector running"'));
      if (line) {
        this.url = (JSON.parse(line) as { url: string }).url;
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the WeChat connector did not start within ${timeoutMs} ms (see ${this.connector.logPath})`);
  }

  /** Callbacks Kafka does not have yet, on the connector's disk. */
  journaled(): number {
    try {
      return readdirSync(join(this.dataDir, 'connectors', 'wechat', 'journal', 'official-account')).filter((n) => n.endsWith('.json')).length;
    } catch {
      return 0;
    }
  }

  /** Sends each message as a follower's text callback until it is answered "success". */
  async post(messages: InboundMessage[]): Promise<void> {
    const queue = [...messages];
    await Promise.all(Array.from({ length: CONCURRENT_CALLBACKS }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.deliver(next);
    }));
  }

  /** Resolves once the connector was killed (kill -9) right after it answered `answers` more callbacks. */
  killRightAfterAnswers(answers: number, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ${answers} callbacks answered within ${timeoutMs} ms to kill the connector after`)), timeoutMs);
      this.killAfterAnswer = {
        answersLeft: answers,
        killed: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  private async deliver(message: InboundMessage): Promise<void> {
    const follower = `o${message.conversationKey.replaceAll(':', '-')}`;
    const xml = textMessageXml(message.text, message.externalId, follower, Math.floor(Date.parse(message.sentAt) / 1000));
    for (;;) {
      const answer = await this.send(xml);
      if (answer === 'success') return this.afterAnswer();
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async afterAnswer(): Promise<void> {
    this.answered++;
    const plan = this.killAfterAnswer;
    if (!plan || --plan.answersLeft > 0) return;
    this.killAfterAnswer = undefined;
    await this.connector.kill9();
    plan.killed();
  }

  /** One attempt, signed afresh (WeChat's retries carry a new nonce and timestamp): the body, or undefined. */
  private async send(xml: string): Promise<string | undefined> {
    if (!this.url) return undefined;
    const callback = safeModeCallback(this.url, xml);
    try {
      const response = await fetch(callback.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: callback.body, signal: AbortSignal.timeout(WECHAT_WAITS_MS) });
      return response.status === 200 ? await response.text() : undefined;
    } catch {
      return undefined;
    }
  }
}
