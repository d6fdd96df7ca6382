/** nodemailer's smtp-server as a real SMTP peer for tests: accepts everything and keeps each mail parsed. */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CapturedMail {
  raw: string;
  parsed: ParsedMail;
  from: string;
  to: string[];
}

export interface SmtpCapture {
  port: number;
  mails: CapturedMail[];
  /** User names that logged in (AUTH PLAIN/LOGIN), in order. */
  logins: string[];
  stop(): Promise<void>;
}

/** `acceptDelayMs`: how long the server takes to accept each mail, as a real relay's queueing and checks do. */
export async function startSmtpCapture(options: { acceptDelayMs?: number } = {}): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Loopback only, so plain-text AUTH is fine: clients configured with a password log in as they would.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (options.acceptDelayMs) await new Promise((r) => setTimeout(r, options.acceptDelayMs));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              raw: raw.toString('utf8'),
              parsed,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('smtp-server has no port'));
    });
  });
  return { port, mails, logins, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

