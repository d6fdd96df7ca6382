import { join } from 'node:path';
import type { Wechaty, Message, ContactSelf } from 'wechaty';
import type { impls as PuppetImpls } from 'wechaty-puppet';
import type { Attachment, InboundMessageInput } from '@switchboard/schema';
import { PermanentError, TransientError, type Logger } from '@switchboard/runtime';
import type { ConnectorHealth } from '@switchboard/connector-sdk';
import type { WechatyConfig } from '../config.ts';
import { normalizeBotMessage, type BotMessageFacts } from './normalize.ts';
import { keepFile } from '../shared/files.ts';

export type PuppetInstance = PuppetImpls.PuppetInterface;

export class BotNotLoggedInError extends TransientError {
  override readonly name = 'BotNotLoggedInError';
  constructor() {
    super('the WeChat bot is not logged in');
  }
}

/** The bot could not start at all (most often: the puppet module named in WECHATY_PUPPET is not installed). */
export class BotStartError extends PermanentError {
  override readonly name = 'BotStartError';
}

export class BotTargetNotFoundError extends PermanentError {
  override readonly name = 'BotTargetNotFoundError';
}

export interface BotContext {
  logger: Logger;
  dataDir: string;
  /** Hands a message on; a rejection means it must be kept some other way. */
  deliver(message: InboundMessageInput): Promise<void>;
  /** Keeps what could not be delivered. */
  unusable(raw: string, reason: string, sourceId: string, error: unknown): Promise<void>;
}

type BotState = 'starting' | 'waiting for scan' | 'logged in' | 'logged out' | 'stopped' | 'failed';

const FILE_TYPES = new Set(['Image', 'Attachment', 'Audio', 'Video', 'Emoticon']);

/**
 * A WeChat account run through Wechaty. Wechaty is imported on start only: it takes about a second
 * to load, which a process without a bot should not pay.
 */
export class WechatyBot {
  private bot: Wechaty | undefined;
  private state: BotState = 'starting';
  private user: { id: string; name: string } | undefined;
  private lastScan: { status: string; at: string } | undefined;
  private lastMessageAt: string | undefined;
  private errors = 0;
  private lastError: string | undefined;
  private messageTypeNames: Record<number, string> = {};
  private readonly inFlight = new Set<Promise<void>>();
  private context: BotContext | undefined;

  constructor(
    private readonly config: WechatyConfig,
    /** A puppet instance instead of the module named in config (tests hand in a mock with its Mocker). */
    private readonly puppetInstance?: PuppetInstance,
  ) {}

  async start(context: BotContext): Promise<void> {
    this.context = context;
    const { WechatyBuilder, types } = await import('wechaty');
    this.messageTypeNames = types.Message as unknown as Record<number, string>;
    const scanStatusNames = types.ScanStatus as unknown as Record<number, string>;
    const bot = this.puppetInstance
      ? WechatyBuilder.build({ puppet: this.puppetInstance, ...this.nameOption(context) })
      : WechatyBuilder.build({
          puppet: this.config.puppet as never, // any puppet module name, not only Wechaty's official list
          puppetOptions: this.config.puppetToken ? { token: this.config.puppetToken } : {},
          ...this.nameOption(context),
        });
    const log = context.logger;
    bot.on('scan', (qrcode: string, status: number) => {
      this.state = 'waiting for scan';
      this.lastScan = { status: scanStatusNames[status] ?? String(status), at: new Date().toISOString() };
      log.info('wechaty scan', { status: this.lastScan.status, qrcode });
    });
    bot.on('login', (user: ContactSelf) => {
      this.state = 'logged in';
      this.user = { id: user.id, name: user.name() };
      log.info('wechaty logged in', { user: this.user });
    });
    bot.on('logout', (user: ContactSelf, reason?: string) => {
      this.state = 'logged out';
      log.warn('wechaty logged out', { user: user?.id, reason });
    });
    // Wechaty reports a puppet that fails to start (an unreachable puppet service) here, not by throwing.
    bot.on('error', (error: unknown) => {
      this.errors++;
      this.lastError = error instanceof Error ? error.message : String(error);
      log.error('wechaty error', { error });
    });
    bot.on('message', (message: Message) => this.track(this.onMessage(message)));
    this.bot = bot;
    try {
      await bot.start();
    } catch (error) {
      this.state = 'failed';
      throw new BotStartError(`Wechaty with puppet ${this.config.puppet} did not start: ${(error as Error).message}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await Promise.allSettled([...this.inFlight]);
    await this.bot?.stop();
    this.state = 'stopped';
  }

  get puppet(): PuppetInstance | undefined {
    return this.bot?.puppet;
  }

  health(): ConnectorHealth {
    return {
      ready: this.state === 'logged in',
      status: this.state === 'logged in' ? `logged in as ${this.user?.name ?? this.user?.id}` : `${this.state}${this.lastError ? ` (last error: ${this.lastError})` : ''}`,
      errors: this.errors,
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      details: { puppet: this.config.puppet, user: this.user, lastScan: this.lastScan },
    };
  }

  /** Says `text` in a room or to a contact; the puppet's id of the sent message when it gives one. */
  async say(target: { kind: 'room' | 'contact'; id: string }, text: string): Promise<string | undefined> {
    const bot = this.bot;
    if (!bot || this.state !== 'logged in') throw new BotNotLoggedInError();
    const conversation = target.kind === 'room' ? await bot.Room.find({ id: target.id }) : await bot.Contact.find({ id: target.id });
    if (!conversation) throw new BotTargetNotFoundError(`WeChat ${target.kind} ${target.id} not found`);
    const sent = await conversation.say(text);
    return sent ? sent.id : undefined;
  }

  private nameOption(context: BotContext): { name?: string } {
    // Wechaty keeps its session in `<name>.memory-card.json`: under the data dir, not the working dir.
    return this.config.name ? { name: join(context.dataDir, this.config.name) } : {};
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async onMessage(message: Message): Promise<void> {
    const context = this.context!;
    if (message.self()) return; // our own replies come back through the puppet
    try {
      const botId = this.user?.id;
      if (!botId) throw new BotNotLoggedInError();
      await context.deliver(normalizeBotMessage(await this.factsOf(message, botId, context)));
      this.lastMessageAt = new Date().toISOString();
    } catch (error) {
      this.errors++;
      const raw = JSON.stringify((message as unknown as { payload?: unknown }).payload ?? { id: message.id });
      await context
        .unusable(raw, `wechaty message not delivered: ${(error as Error).message}`, `wechaty/${message.id}`, error)
        .catch((dlqError: unknown) => context.logger.error('wechaty message lost', { messageId: message.id, raw, error, dlqError }));
    }
  }

  private async factsOf(message: Message, botId: string, context: BotContext): Promise<BotMessageFacts> {
    const wechatyType = this.messageTypeNames[message.type()] ?? String(message.type());
    const talker = message.talker();
    const room = message.room();
    const facts: BotMessageFacts = {
      id: message.id,
      botId,
      wechatyType,
      text: message.text(),
      talker: { id: talker.id, name: talker.name() },
      sentAt: message.date(),
      attachments: [],
    };
    if (room) facts.room = { id: room.id, topic: await room.topic().catch(() => '') };

    const details: Record<string, unknown> = {};
    try {
      if (FILE_TYPES.has(wechatyType)) {
        facts.attachments = [await this.saveFile(message, context.dataDir)];
        facts.text = ''; // the puppet's text of a file message is its XML, not words
      } else if (wechatyType === 'Url') {
        const link = await message.toUrlLink();
        details.link = { title: link.title(), description: link.description(), url: link.url() };
        facts.text = [link.title(), link.description(), link.url()].filter(Boolean).join('\n');
      } else if (wechatyType === 'MiniProgram') {
        const program = await message.toMiniProgram();
        details.miniProgram = { appid: program.appid(), title: program.title(), description: program.description(), pagePath: program.pagePath() };
        facts.text = [program.title(), program.description()].filter(Boolean).join('\n');
      } else if (wechatyType === 'Location') {
        const location = await message.toLocation();
        details.location = { lat: location.latitude(), lng: location.longitude(), name: location.name(), address: location.address() };
        facts.text = [location.name(), location.address()].filter(Boolean).join('\n');
      }
    } catch (error) {
      // The message itself still counts: record what failed instead of dropping it.
      details.detailsError = (error as Error).message;
      context.logger.warn('wechaty message details unavailable', { messageId: message.id, wechatyType, error });
    }
    if (Object.keys(details).length > 0) facts.details = details;
    return facts;
  }

  /** The file's metadata; its bytes kept under the data dir, named by their SHA-256, when not too large. */
  private async saveFile(message: Message, dataDir: string): Promise<Attachment> {
    const file = await message.toFileBox();
    const contentType = file.mediaType || 'application/octet-stream';
    if (file.size > this.config.maxFileBytes) return { name: file.name, contentType, size: file.size };
    return keepFile(dataDir, { name: file.name, contentType, bytes: await file.toBuffer() }, this.config.maxFileBytes);
  }
}
