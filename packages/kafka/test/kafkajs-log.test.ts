import { logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, setLogSink } from '@switchboard/runtime';
import { kafkajsLogCreator, kafkajsLogLevel } from '../src/kafkajs-log.ts';

afterEach(() => setLogSink((line) => process.stderr.write(line + '\n'), 'info'));

describe('kafkajs log lines through our logger', () => {
  const response = (error: string) => ({ error, broker: '127.0.0.1:9092', clientId: 'switchboard', correlationId: 6 });
  const cases: [string, number, string, Record<string, unknown>, string][] = [
    ['a fresh broker: not the leader yet', logLevel.ERROR, 'Response ListOffsets(key: 2, version: 3)', response('This server is not the leader for that topic-partition'), 'debug'],
    ['a fresh broker: the coordinator loading', logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', response("The coordinator is loading and hence can't process requests for this group"), 'debug'],
    ['a fresh broker: no coordinator yet', logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', response('The group coordinator is not available'), 'debug'],
    ['a leader election', logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', response('There is no leader for this topic-partition as we are in the middle of a leadership election'), 'debug'],
    ['a group rebalancing', logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', response('The group is rebalancing, so a rejoin is needed'), 'debug'],
    ['the bounded retries of our producer', logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees', {}, 'debug'],
    ['a record too large stays an error', logLevel.ERROR, 'Response Produce(key: 0, version: 7)', response('The request included a message larger than the max message size the server will accept'), 'error'],
    ['a SASL failure stays an error', logLevel.ERROR, 'Response SaslAuthenticate(key: 36, version: 1)', response('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'), 'error'],
    ['a broker that cannot be reached stays an error', logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092' }, 'error'],
    ['a settling message outside a response line keeps its level', logLevel.ERROR, 'This server is not the leader for that topic-partition', {}, 'error'],
    ['services creating the same topics at once', logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', response('Topic creation errors'), 'debug'],
    ['a member joining or leaving a group is news, not a warning', logLevel.WARN, 'The group is rebalancing, re-joining', {}, 'info'],
    ['other warnings stay warnings', logLevel.WARN, 'Crash: KafkaJSNumberOfRetriesExceeded: Connection error', {}, 'warn'],
  ];
  it.each(cases)('%s', (_name, level, message, fields, expected) => {
    expect(kafkajsLogLevel(level, message, fields)).toBe(expected);
  });

  it('writes them with our time and component, without the fields that repeat them', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line), 'debug');
    const write = kafkajsLogCreator(createLogger('kafkajs'))(logLevel.ERROR);
    const log = { message: 'Response ListOffsets(key: 2, version: 3)', timestamp: '2026-12-07T11:58:42.390Z', logger: 'kafkajs', size: 172, ...response('This server is not the leader for that topic-partition') };
    write({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log });
    write({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { ...log, error: 'The request included a message larger than the max message size the server will accept' } });
    const [settling, tooLarge] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(settling).toEqual({ t: expect.any(String), level: 'debug', component: 'kafkajs', msg: log.message, broker: '127.0.0.1:9092', clientId: 'switchboard', correlationId: 6, error: log.error });
    expect(tooLarge).toMatchObject({ level: 'error', component: 'kafkajs' });
  });
});
