import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, field } from '@switchboard/runtime';
import { DEFAULT_MATCH_SETTINGS, type FeeTolerance, type MatchSettings } from './matching.ts';

/** The wallet's variables, part of the gateway's spec (the ticket view and the freeze action live there). */
export const walletFields = {
  WALLET_API_BASE: field.optional().describe("Base URL of the wallet's ledger API (`{base}/v1/customers/{ref}/transactions`, `/v1/refunds/{id}`, `/v1/customers/{ref}/freeze`). Unset: tickets carry no wallet section and nothing can be frozen.").example('https://wallet.internal'),
  WALLET_API_TOKEN: field.token(8).secret().describe('Bearer token of the ledger API; required with WALLET_API_BASE.').example('wallet-token-123456'),
  WALLET_CUSTOMER_MAP_FILE: field
    .optional()
    .describe('JSON file `{"<channel>:<sender id>": "<customer ref>"}`: channel identities the wallet verified some other way (e.g. `wechat:oa:wx123:openid…`). A sender with neither this nor a verified `customerRef` gets no lookup.'),
  WALLET_FEE_TOLERANCE: field
    .pattern(/^\d{1,6}(\.\d{1,4})?%?$/, 'a percentage such as 1% or an amount such as 2.00')
    .describe('How far a ledger amount may differ from the one the customer wrote and still match: `1%` of it, or an amount such as `2.00`. Unset: 1%.'),
  WALLET_TIME_ZONE: field.text(DEFAULT_MATCH_SETTINGS.timeZone).describe('The calendar "the same day" is read in, matching transactions to the days a customer named.').advanced(),
  WALLET_DUPLICATE_WINDOW_MINUTES: field.int(DEFAULT_MATCH_SETTINGS.duplicateWindowMinutes, 1, 7 * 24 * 60).describe('Two matching charges of one amount to one counterparty this close together are flagged as a possible double charge.').advanced(),
};

export interface WalletSettings {
  base: string;
  token: string;
  mapping: ReadonlyMap<string, string>;
  match: MatchSettings;
}

type WalletEnv = { [K in keyof typeof walletFields]: ReturnType<(typeof walletFields)[K]['schema']['parse']> };

const MappingFile = z.record(z.string().regex(/^[a-z][a-z0-9-]*:.+$/, 'keys are <channel>:<sender id>'), z.string().min(1).max(200));

/** The validated wallet settings, or undefined when no ledger is configured; the mapping file is read here, at start. */
export function walletSettingsOf(cfg: WalletEnv, component = 'gateway'): WalletSettings | undefined {
  const problems: string[] = [];
  if (Boolean(cfg.WALLET_API_BASE) !== Boolean(cfg.WALLET_API_TOKEN)) problems.push('WALLET_API_BASE and WALLET_API_TOKEN: set both or neither');
  if (cfg.WALLET_API_BASE && !/^https?:\/\/[^\s/]+/.test(cfg.WALLET_API_BASE)) problems.push('WALLET_API_BASE: an http(s) URL');
  if (!isTimeZone(cfg.WALLET_TIME_ZONE)) problems.push(`WALLET_TIME_ZONE: not a time zone: ${cfg.WALLET_TIME_ZONE}`);
  let mapping = new Map<string, string>();
  if (cfg.WALLET_CUSTOMER_MAP_FILE) {
    try {
      mapping = new Map(Object.entries(MappingFile.parse(JSON.parse(readFileSync(cfg.WALLET_CUSTOMER_MAP_FILE, 'utf8')))));
    } catch (error) {
      problems.push(`WALLET_CUSTOMER_MAP_FILE: ${mappingProblem(error)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(component, problems);
  if (!cfg.WALLET_API_BASE || !cfg.WALLET_API_TOKEN) return undefined;
  const fee = cfg.WALLET_FEE_TOLERANCE;
  const feeTolerance: FeeTolerance = fee === undefined ? DEFAULT_MATCH_SETTINGS.feeTolerance : fee.endsWith('%') ? { percent: fee.slice(0, -1) } : { absolute: fee };
  return { base: cfg.WALLET_API_BASE, token: cfg.WALLET_API_TOKEN, mapping, match: { feeTolerance, timeZone: cfg.WALLET_TIME_ZONE, duplicateWindowMinutes: cfg.WALLET_DUPLICATE_WINDOW_MINUTES } };
}

/** Where the file is wrong, never what it holds: V8's JSON errors quote the text around the error. */
function mappingProblem(error: unknown): string {
  if (error instanceof SyntaxError) return 'not valid JSON';
  if (error instanceof z.ZodError) return error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
