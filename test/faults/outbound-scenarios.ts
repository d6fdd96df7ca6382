import type { OutboundScenario } from './outbound.ts';

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export const OUTBOUND_SCENARIOS: OutboundScenario[] = [
  {
    name: 'outbound-replicas',
    description: 'two replicas of the email connector consume outbound; one joins while replies flow, the other leaves (SIGTERM) and comes back; 10% of the replies are produced twice',
    replicas: 2,
    smtpAcceptDelayMs: 30,
    async run(h, messages) {
      const progress = () => `${h.delivered()} of ${h.produced()} produced delivered`;
      const share = (s: number) => Math.floor(messages * s);
      await h.start(0);
      await h.produce(0, share(0.3));
      // Replies keep coming while replica 1 starts, so its joining moves partitions mid-stream.
      let joined = false;
      const joining = h.start(1).then(() => (joined = true));
      await h.keepFlowing(() => joined, share(0.6));
      await joining;
      h.notes.push(`replica 1 joined with ${progress()}`);
      await h.produce(h.produced(), Math.max(h.produced(), share(0.7)));
      h.notes.push(`replica 0 sent SIGTERM with ${progress()}`);
      const exitMs = await h.replicas[0]!.stop('SIGTERM');
      h.notes.push(`replica 0 exited in ${seconds(exitMs)} s`);
      let back = false;
      const returning = h.start(0).then(() => (back = true));
      await h.keepFlowing(() => back, share(0.9));
      await returning;
      h.notes.push(`replica 0 joined again with ${progress()}`);
      const faultOver = Date.now();
      await h.produce(h.produced(), messages);
      // Produced again, as a sink does after a crash between producing an acknowledgement and recording it.
      for (let n = 0; n < messages; n += 10) await h.produce(n, n + 1);
      await h.settle(messages);
      return { produced: messages, recoverySec: seconds(Date.now() - faultOver) };
    },
  },
  {
    name: 'outbound-restart-history',
    description: 'the email connector restarted after 10 sent replies and again after many more (2 x --messages): the start times are compared',
    replicas: 1,
    async run(h, messages) {
      const history = 2 * messages;
      const measure = async (label: string, probe: number) => {
        await h.replicas[0]!.stop('SIGTERM');
        const since = Date.now();
        // The probe waits on the topic while the connector starts: its arrival is "back in service".
        await h.produce(probe, probe + 1);
        const readyMs = await h.start(0);
        const firstMs = await h.arrived(probe, since);
        h.notes.push(`restart ${label}: running after ${seconds(readyMs)} s, first reply after ${seconds(firstMs)} s, ledger entries read back: ${h.readBack(0)}`);
        return firstMs;
      };
      await h.start(0);
      await h.produce(0, 10);
      await h.settle(10);
      const small = await measure('after 10 replies', 10);
      await h.produce(11, 11 + history);
      await h.settle(11 + history);
      const started = Date.now();
      const large = await measure(`after ${11 + history} replies`, 11 + history);
      await h.settle(12 + history);
      h.notes.push(`start after ${11 + history} replies took ${(large / small).toFixed(2)}x the start after 10`);
      // Far beyond noise on a shared machine: a start that read the whole history again would show here.
      if (large > 2 * small + 2_000) h.problems.push(`the start after ${11 + history} replies (${seconds(large)} s) is much slower than after 10 (${seconds(small)} s)`);
      return { produced: 12 + history, recoverySec: seconds(Date.now() - started) };
    },
  },
];
