/**
 * A local stand-in for the two Twilio REST resources the connector reads, in their documented shapes:
 * - Recording media (https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file):
 *   `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav|.mp3`, HTTP Basic auth with the
 *   Account SID and auth token ("HTTP Basic Authentication for media" on), `audio/x-wav` or `audio/mpeg`;
 *   404 while the file is still being processed.
 * - Call resource (https://www.twilio.com/docs/voice/api/call-resource#fetch-a-call-resource):
 *   `GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`, snake_case JSON, RFC 2822 times.
 * Errors are Twilio's JSON error body: `{ code, message, more_info, status }` (20003 Authenticate, 20404).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A PCM WAV file (8 kHz, 16-bit mono, as Twilio records phone audio) of a tone lasting `seconds`. */
export function toneWav(seconds: number, hz = 440): Buffer {
  const rate = 8_000;
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 8_000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface FakeCall {
  sid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  status: string;
  duration?: number;
  startTime: Date;
  endTime?: Date;
  callerName?: string;
}

export class FakeTwilio {
  readonly recordings = new Map<string, { bytes: Buffer; notReadyFor: number }>();
  readonly calls = new Map<string, FakeCall>();
  readonly requests: { method: string; path: string; authorized: boolean }[] = [];
  private server: Server | undefined;
  base = '';

  constructor(
    private readonly accountSid: string,
    private readonly authToken: string,
  ) {}

  /** A recording the API serves, after answering 404 `notReadyFor` times (still processing). */
  addRecording(sid: string, bytes: Buffer, notReadyFor = 0): void {
    this.recordings.set(sid, { bytes, notReadyFor });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A RecordingUrl as Twilio gives it in callbacks: on this API's origin, without an extension. */
  recordingUrl(sid: string): string {
    return `${this.base}/2010-04-01/Accounts/${this.accountSid}/Recordings/${sid}`;
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    const authorized = req.headers.authorization === expected;
    this.requests.push({ method: req.method ?? 'GET', path, authorized });
    if (!authorized) return this.error(res, 401, 20003, 'Authenticate');
    const prefix = `/2010-04-01/Accounts/${this.accountSid}/`;
    const recording = new RegExp(`^${prefix}Recordings/(RE[0-9a-f]{32})\\.(wav|mp3)$`).exec(path);
    if (recording) return this.serveRecording(res, recording[1]!, recording[2] as 'wav' | 'mp3', path);
    const call = new RegExp(`^${prefix}Calls/(CA[0-9a-f]{32})\\.json$`).exec(path);
    if (call && this.calls.has(call[1]!)) return this.serveCall(res, this.calls.get(call[1]!)!);
    this.error(res, 404, 20404, `The requested resource ${path} was not found`);
  }

  private serveRecording(res: ServerResponse, sid: string, format: 'wav' | 'mp3', path: string): void {
    const file = this.recordings.get(sid);
    if (!file || file.notReadyFor > 0) {
      if (file) file.notReadyFor--;
      return this.error(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    // This fake keeps WAV files only; a real account converts to MP3 on request.
    if (format === 'mp3') return this.error(res, 404, 20404, `The requested resource ${path} was not found`);
    res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  private serveCall(res: ServerResponse, call: FakeCall): void {
    const rfc2822 = (d: Date | undefined) => (d ? d.toUTCString().replace('GMT', '+0000') : null);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid: call.sid,
        account_sid: this.accountSid,
        api_version: '2010-04-01',
        parent_call_sid: null,
        from: call.from,
        from_formatted: call.from,
        to: call.to,
        to_formatted: call.to,
        direction: call.direction,
        status: call.status,
        duration: call.duration === undefined ? null : String(call.duration),
        start_time: rfc2822(call.startTime),
        end_time: rfc2822(call.endTime),
        caller_name: call.callerName ?? null,
        answered_by: null,
        uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${call.sid}.json`,
      }),
    );
  }
}
