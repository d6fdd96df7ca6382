/**
 * A real Dovecot (Debian's dovecot-imapd) for tests: its own config, state and maildirs under a temp
 * dir, IMAP on a free loopback port, plain-text logins from a passwd-file. Mail belongs to nobody,
 * because Dovecot refuses to deliver to root.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { withRetry } from '@switchboard/runtime';

const run = promisify(execFile);

export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  dir: string;
  /** A logged-in client (logger off); the caller logs it out. */
  client(user: DovecotUser): Promise<ImapFlow>;
  /** Appends raw messages to a mailbox of `user` (INBOX by default). */
  append(user: DovecotUser, raw: (string | Buffer)[], mailbox?: string): Promise<void>;
  /** Deletes and recreates a mailbox, which gives it a new UIDVALIDITY. */
  recreateMailbox(user: DovecotUser, mailbox: string): Promise<void>;
  /** Drops every IMAP connection of `user` on the server side (doveadm kick). */
  kick(user: DovecotUser): Promise<void>;
  /** Stops the server (every connection drops) and starts it again on the same port with the same mail. */
  restart(downMs?: number): Promise<void>;
  /** Gives a mailbox a new UIDVALIDITY while keeping its mail, as a server migration does. */
  changeUidValidity(user: DovecotUser, mailbox?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a command that forks a daemon: waits for the parent to exit without holding the daemon's stdio. */
function daemonize(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startDovecot(users: DovecotUser[]): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-dovecot-'));
  // Dovecot's processes run as nobody and must reach the mail homes inside.
  chmodSync(dir, 0o755);
  const mailDir = join(dir, 'mail');
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  for (const { user } of users) mkdirSync(join(mailDir, user), { recursive: true });
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, users.map(({ user, password }) => `${user}:{PLAIN}${password}`).join('\n') + '\n');
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = sb-${port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = ${passwd}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  await run('chown', ['-R', 'nobody:nogroup', mailDir]);
  await daemonize('dovecot', ['-c', conf]);

  const client = async ({ user, password }: DovecotUser) => {
    const imap = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    // A dropped connection is also reported through the pending command's rejection; without a
    // listener the 'error' event would end the test process instead.
    imap.on('error', () => undefined);
    await imap.connect();
    return imap;
  };
  const withClient = async <T>(user: DovecotUser, work: (imap: ImapFlow) => Promise<T>): Promise<T> => {
    const imap = await client(user);
    try {
      return await work(imap);
    } finally {
      await imap.logout().catch(() => undefined);
    }
  };
  // Dovecot accepts within milliseconds of daemonizing; wait for the first login to be sure.
  const ready = async () => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        await withClient(users[0]!, async () => undefined);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await ready();

  return {
    host: '127.0.0.1',
    port,
    dir,
    client,
    append: (user, raws, mailbox = 'INBOX') =>
      withClient(user, async (imap) => {
        for (const raw of raws) await imap.append(mailbox, raw);
      }),
    recreateMailbox: (user, mailbox) =>
      withClient(user, async (imap) => {
        if (mailbox.toUpperCase() === 'INBOX') {
          // INBOX cannot be deleted; renaming it moves its mail out and leaves a fresh INBOX behind.
          await imap.mailboxRename('INBOX', `old-${Date.now()}`);
        } else {
          // A delete can be refused while another session holds the mailbox's lock (a busy machine):
          // the create then finds it still there. Both are tried again until the mailbox is new.
          await withRetry(
            async () => {
              await imap.mailboxDelete(mailbox).catch(() => undefined);
              await imap.mailboxCreate(mailbox);
            },
            { attempts: 10, initialMs: 200, maxMs: 200, why: 'Dovecot releases the mailbox lock of a closing session within ~2 s.' },
          );
        }
      }),
    async kick({ user }) {
      await run('doveadm', ['-c', conf, 'kick', user]);
    },
    async restart(downMs = 1_000) {
      await daemonize('dovecot', ['-c', conf, 'stop']);
      // `stop` returns before the master has let go of the port; starting again before that fails.
      const deadline = Date.now() + 10_000;
      while ((await portOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, downMs));
      await daemonize('dovecot', ['-c', conf]);
      await ready();
    },
    async changeUidValidity({ user }, mailbox = 'INBOX') {
      const uidValidity = String(Math.floor(Date.now() / 1000));
      await run('doveadm', ['-c', conf, 'mailbox', 'update', '-u', user, '--uid-validity', uidValidity, mailbox]);
    },
    async stop() {
      await daemonize('dovecot', ['-c', conf, 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
