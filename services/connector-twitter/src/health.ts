import type { TwitterAccount } from './account.ts';
import type { PollerState } from './poller.ts';

export interface AccountHealth {
  ready: boolean;
  status: string;
  warnings?: string[];
}

/**
 * One account's health from its streams' states: the worst of them wins (a lost authorization, a
 * spent budget, a back-off, a rate-limit wait, the first poll), in words an operator can act on.
 */
export function accountHealth(account: TwitterAccount, states: readonly PollerState[]): AccountHealth {
  const warnings = account.warnings.length > 0 ? { warnings: [...account.warnings] } : {};
  const find = <P extends PollerState['phase']>(phase: P) => states.find((s): s is Extract<PollerState, { phase: P }> => s.phase === phase);
  const lost = find('needs authorization');
  if (lost || account.oauth2?.lost) return { ready: false, status: `needs authorization: ${lost?.reason ?? 'X refused the refresh token'}`, ...warnings };
  const paused = find('paused');
  if (paused) return { ready: false, status: `polling paused until ${paused.until}: ${paused.reason}`, ...warnings };
  const waiting = account.api.waitingFor;
  if (waiting) return { ready: false, status: `rate limited on ${waiting.endpoint} until ${new Date(waiting.until).toISOString()}`, ...warnings };
  const backingOff = find('backing off');
  if (backingOff) return { ready: false, status: `backing off after ${backingOff.reason} (attempt ${backingOff.attempt}, next at ${backingOff.retryAt})`, ...warnings };
  if (states.length === 0 || find('starting')) return { ready: false, status: account.own ? 'first poll' : 'resolving account', ...warnings };
  if (find('stopped')) return { ready: false, status: 'stopped', ...warnings };
  const phase = states.some((s) => s.phase === 'webhook only') ? 'webhook only' : 'polling';
  return { ready: true, status: phase, ...warnings };
}
