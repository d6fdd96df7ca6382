/**
 * The web chat's history on disk (`HistoryJournal`): a restart of the connector keeps what the
 * customer's page shows. No Kafka: emit is the test's (`contextForTest`).
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '@switchboard/http';
import { OutboundMessage } from '@switchboard/schema';
import { createLogger } from '@switchboard/runtime';
import { WEBCHAT_DEFAULTS } from '../src/config.ts';
import { createWebchatConnector, type WebchatConnector } from '../src/webchat/connector.ts';
import { HistoryJournal, JOURNAL_FILE } from '../src/webchat/journal.ts';
import { SessionStore } from '../src/webchat/sessions.ts';
import { contextForTest } from './helpers/host.ts';
import { agentReply, ChatClient } from './helpers/webchat.ts';

const entry = (id: string, text = id) => ({ id, from: 'customer' as const, text, at: '2026-11-24T22:00:00.000Z' });
const logger = createLogger('test.webchat-history');

describe('web chat history across a restart', () => {
  const running: Array<{ connector: WebchatConnector; http: HttpServer; client?: ChatClient }> = [];
  const start = async (dataDir: string) => {
    const connector = createWebchatConnector(WEBCHAT_DEFAULTS, { name: 'webchat' });
    await connector.start(contextForTest('webchat-history', async () => undefined, dataDir));
    const http = new HttpServer();
    http.mount(connector.routes, connector.upgrades);
    const wsUrl = (await http.listen()).replace('http', 'ws') + '/chat/ws';
    const run: (typeof running)[number] = { connector, http };
    running.push(run);
    return { ...run, connect: async () => (run.client = await ChatClient.connect(wsUrl)) };
  };
  const stop = async (run: (typeof running)[number]) => {
    await run.client?.close();
    await run.connector.stop();
    await run.http.close();
    running.splice(running.indexOf(run), 1);
  };
  afterEach(async () => {
    for (const run of [...running]) await stop(run);
  });

  it("shows the customer's messages and the agent's reply again after the connector restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-webchat-history-'));
    const first = await start(dataDir);
    const page = await first.connect();
    const { token, sessionId } = await page.hello();
    page.send({ type: 'message', clientId: 'client-history-1', text: 'Where is my refund?' });
    const ack = await page.next('ack');
    await first.connector.send(OutboundMessage.parse(agentReply(sessionId, 'out_history_reply_1', 'It was sent back yesterday.')));
    await stop(first);

    const second = await start(dataDir);
    const reloaded = await second.connect();
    const welcome = await reloaded.hello(token);
    expect(welcome.history.map((e) => [e.id, e.from, e.text])).toEqual([
      [ack.id, 'customer', 'Where is my refund?'],
      ['out_history_reply_1', 'agent', 'It was sent back yesterday.'],
    ]);
    // The page resending the same message after the restart is recognised, not produced again.
    reloaded.send({ type: 'message', clientId: 'client-history-1', text: 'Where is my refund?' });
    expect(await reloaded.next('ack')).toEqual({ type: 'ack', clientId: 'client-history-1', id: ack.id });
  });

  it('skips a line cut short by a crash, keeps the bounds, and rewrites the file with what it kept', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-webchat-journal-'));
    const path = join(dataDir, JOURNAL_FILE);
    const lines = ['a', 'b', 'c'].flatMap((s) => [1, 2, 3, 4].map((n) => JSON.stringify({ session: `session-${s}`, entry: entry(`${s}${n}`) })));
    appendFileSync(path, `${lines.join('\n')}\n{"session":"session-c","entry":{"id":"c5","fr`);
    const sessions = new SessionStore(2, 3);
    const journal = HistoryJournal.open(dataDir, sessions, { compactAfter: 100, logger });
    expect([...sessions.entries()].map(([id, history]) => [id, history.map((e) => e.id)])).toEqual([
      ['session-b', ['b2', 'b3', 'b4']],
      ['session-c', ['c2', 'c3', 'c4']],
    ]);
    const rewritten = readFileSync(path, 'utf8').trim().split('\n');
    expect(rewritten.map((l) => (JSON.parse(l) as { entry: { id: string } }).entry.id)).toEqual(['b2', 'b3', 'b4', 'c2', 'c3', 'c4']);
    return journal.close();
  });

  it('compacts the file after enough appends', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-webchat-compact-'));
    const sessions = new SessionStore(10, 2);
    const journal = HistoryJournal.open(dataDir, sessions, { compactAfter: 5, logger });
    const record = (id: string) => {
      if (sessions.append('session-x', entry(id))) journal.record('session-x', entry(id));
    };
    for (const id of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6']) record(id);
    await journal.close();
    const ids = readFileSync(join(dataDir, JOURNAL_FILE), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { entry: { id: string } }).entry.id);
    // Compacted at the fifth line (x4 and x5 kept), then x6 appended.
    expect(ids).toEqual(['x4', 'x5', 'x6']);
    const restored = new SessionStore(10, 2);
    await HistoryJournal.open(dataDir, restored, { compactAfter: 5, logger }).close();
    expect(restored.find('session-x')!.history.map((e) => e.id)).toEqual(['x5', 'x6']);
  });
});
