/**
 * The bytes of what customers send (a screenshot of a failed payment, a voice note, a PDF receipt),
 * kept before the message goes to Kafka: Meta does not keep them for us. Messenger and Instagram give a
 * CDN URL that expires; WhatsApp gives a media id, and `GET /{media-id}` with the access token answers
 * `{messaging_product, url, mime_type, sha256, file_size, id}` whose `url` lives five minutes and is
 * fetched with the same bearer token (developers.facebook.com/documentation/business-messaging/whatsapp/
 * business-phone-numbers/media#retrieve-media-url, …#download-media).
 * A file that cannot be fetched never holds the message back: it keeps its metadata and the reason is
 * logged; the agent still sees that something was sent.
 */
import { createHash } from 'node:crypto';
import { keepAttachment } from '@switchboard/connector-sdk';
import type { Logger } from '@switchboard/runtime';
import type { Attachment, InboundMessageInput } from '@switchboard/schema';

export const WHATSAPP_MEDIA_REF = 'whatsapp-media:';
/** One fetch (the lookup or the bytes): a delivery waits for its files, and Meta re-sends what is not answered soon. */
const FETCH_TIMEOUT_MS = 8_000;

export interface MediaOptions {
  graphBase: string;
  /** The WhatsApp token: the lookup and the download both need it. */
  whatsappToken?: string;
  maxBytes: number;
  fetch: typeof fetch;
  logger: () => Logger | undefined;
}

class MediaUnavailable extends Error {}

export class MediaKeeper {
  failures = 0;

  constructor(private readonly options: MediaOptions) {}

  /** The message with each file it names kept under `dataDir`, or left as it was when it cannot be. */
  async keep(message: InboundMessageInput, dataDir: string): Promise<InboundMessageInput> {
    if (!message.attachments?.length) return message;
    const attachments = await Promise.all(message.attachments.map((file) => this.keepOne(file, dataDir, message.id)));
    return { ...message, attachments };
  }

  private async keepOne(file: Attachment, dataDir: string, messageId: string): Promise<Attachment> {
    const whatsappId = file.storageRef?.startsWith(WHATSAPP_MEDIA_REF) ? file.storageRef.slice(WHATSAPP_MEDIA_REF.length) : undefined;
    if (!whatsappId && !file.url) return file;
    try {
      const { bytes, contentType } = whatsappId ? await this.whatsappMedia(whatsappId, file) : await this.download(file.url!, undefined);
      const kept = await keepAttachment(dataDir, bytes, { name: file.name, contentType: pickType(file.contentType, contentType) });
      return { ...file, ...kept };
    } catch (error) {
      this.failures++;
      this.options.logger()?.warn('a file the customer sent was not kept', { messageId, name: file.name, reason: error instanceof Error ? error.message : String(error) });
      return file;
    }
  }

  private async whatsappMedia(id: string, file: Attachment): Promise<{ bytes: Buffer; contentType: string | undefined }> {
    const token = this.options.whatsappToken;
    if (!token) throw new MediaUnavailable('no WHATSAPP_ACCESS_TOKEN to fetch WhatsApp media with');
    const lookup = await this.get(`${this.options.graphBase}/${encodeURIComponent(id)}`, token);
    const info = (await lookup.json().catch(() => ({}))) as { url?: unknown; mime_type?: unknown; sha256?: unknown; file_size?: unknown };
    if (typeof info.url !== 'string') throw new MediaUnavailable(`the media lookup of ${id} gave no url`);
    if (Number(info.file_size) > this.options.maxBytes) throw new MediaUnavailable(`${info.file_size} bytes is over META_MEDIA_MAX_BYTES`);
    const fetched = await this.download(info.url, token);
    const expected = file.sha256 ?? (typeof info.sha256 === 'string' && /^[0-9a-f]{64}$/.test(info.sha256) ? info.sha256 : undefined);
    if (expected && createHash('sha256').update(fetched.bytes).digest('hex') !== expected) throw new MediaUnavailable('the bytes do not match the sha256 WhatsApp gave');
    return { bytes: fetched.bytes, contentType: typeof info.mime_type === 'string' ? info.mime_type : fetched.contentType };
  }

  private async download(url: string, token: string | undefined): Promise<{ bytes: Buffer; contentType: string | undefined }> {
    const response = await this.get(url, token);
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.options.maxBytes) throw new MediaUnavailable(`${declared} bytes is over META_MEDIA_MAX_BYTES`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > this.options.maxBytes) throw new MediaUnavailable(`${bytes.length} bytes is over META_MEDIA_MAX_BYTES`);
    return { bytes, contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || undefined };
  }

  /** A GET with the token in the header, never in the URL (so no log line shows it); its failures say only the status. */
  private async get(url: string, token: string | undefined): Promise<Response> {
    let response: Response;
    try {
      response = await this.options.fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      throw new MediaUnavailable(`unreachable (${(error as Error).name})`);
    }
    if (!response.ok) throw new MediaUnavailable(`HTTP ${response.status} from ${new URL(url).host}`);
    return response;
  }
}

/** Meta's webhook says `image/*` for Messenger images; the server's answer is more exact. */
function pickType(fromWebhook: string, fromServer: string | undefined): string {
  return fromWebhook.endsWith('/*') || fromWebhook === 'application/octet-stream' ? (fromServer ?? fromWebhook) : fromWebhook;
}
