import { readFileSync } from 'node:fs';
import { ConfigError, field } from '@switchboard/runtime';
import { Role, SlaPolicyFile, slaPolicyOf, type SlaPolicy } from '@switchboard/team';

/** The people side of the gateway: the first admin, sessions, single sign-on, service levels. */
export const peopleFields = {
  SWITCHBOARD_ADMIN_EMAIL: field.optional().describe('With SWITCHBOARD_ADMIN_PASSWORD: the first admin, created at start when there are no users. Unset: the banner prints a one-time setup link.').example('admin@wallet.example'),
  SWITCHBOARD_ADMIN_PASSWORD: field.optional().secret().describe('The first admin\'s password (at least 12 characters).').example('a-long-admin-passphrase'),
  SWITCHBOARD_PUBLIC_URL: field.optional().describe('The URL people open the console at (`https://support.wallet.example`): the setup link, the single sign-on redirect, and Secure cookies when it is https. Unset: the listening address.'),
  SWITCHBOARD_SESSION_HOURS: field.int(12, 1, 24 * 30).describe('A console session ends this many hours after sign-in.').advanced(),
  SWITCHBOARD_OIDC_ISSUER: field.optional().describe('OpenID Connect issuer URL of the team\'s identity provider; with the client id and secret, the console offers single sign-on.'),
  SWITCHBOARD_OIDC_CLIENT_ID: field.optional().describe('The console\'s client id at the identity provider.'),
  SWITCHBOARD_OIDC_CLIENT_SECRET: field.optional().secret().describe('The console\'s client secret at the identity provider.').example('oidc-client-secret-123'),
  SWITCHBOARD_OIDC_ROLE: field.oneOf(['admin', 'supervisor', 'agent', 'analyst'], 'agent').describe('Role of a person signing in through the identity provider for the first time.'),
  SWITCHBOARD_SLA_FILE: field.optional().describe('JSON file of the service levels: `timeZone` (default Asia/Shanghai), `hours` per weekday, `holidays`, `firstResponseMinutes` and `resolutionMinutes` per priority, `byCategory` overrides, `warnAt`. Unset: the defaults.'),
  SWITCHBOARD_ASSIGN_INTERVAL_MS: field.int(5_000, 200).describe('How often unassigned tickets are offered to online agents.').advanced(),
};

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  defaultRole: Role;
}

export interface PeopleConfig {
  admin?: { email: string; password: string };
  publicUrl?: string;
  sessionTtlMs: number;
  oidc?: OidcSettings;
  sla: SlaPolicy;
  assignIntervalMs: number;
}

type PeopleEnv = { [K in keyof typeof peopleFields]: ReturnType<(typeof peopleFields)[K]['schema']['parse']> };

/** The validated people settings; the SLA file is read and checked here, at start. */
export function peopleConfigOf(cfg: PeopleEnv): PeopleConfig {
  const problems: string[] = [];
  if (Boolean(cfg.SWITCHBOARD_ADMIN_EMAIL) !== Boolean(cfg.SWITCHBOARD_ADMIN_PASSWORD)) problems.push('SWITCHBOARD_ADMIN_EMAIL and SWITCHBOARD_ADMIN_PASSWORD: set both or neither');
  if (cfg.SWITCHBOARD_ADMIN_PASSWORD && cfg.SWITCHBOARD_ADMIN_PASSWORD.length < 12) problems.push('SWITCHBOARD_ADMIN_PASSWORD: at least 12 characters');
  const oidcSet = [cfg.SWITCHBOARD_OIDC_ISSUER, cfg.SWITCHBOARD_OIDC_CLIENT_ID, cfg.SWITCHBOARD_OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidcSet > 0 && oidcSet < 3) problems.push('SWITCHBOARD_OIDC_ISSUER, SWITCHBOARD_OIDC_CLIENT_ID and SWITCHBOARD_OIDC_CLIENT_SECRET: set all three or none');
  let sla: SlaPolicy | undefined;
  try {
    sla = slaPolicyOf(SlaPolicyFile.parse(cfg.SWITCHBOARD_SLA_FILE ? JSON.parse(readFileSync(cfg.SWITCHBOARD_SLA_FILE, 'utf8')) : {}));
  } catch (error) {
    problems.push(`SWITCHBOARD_SLA_FILE: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (problems.length > 0 || !sla) throw new ConfigError('gateway', problems);
  return {
    sessionTtlMs: cfg.SWITCHBOARD_SESSION_HOURS * 3_600_000,
    sla,
    assignIntervalMs: cfg.SWITCHBOARD_ASSIGN_INTERVAL_MS,
    ...(cfg.SWITCHBOARD_ADMIN_EMAIL && cfg.SWITCHBOARD_ADMIN_PASSWORD ? { admin: { email: cfg.SWITCHBOARD_ADMIN_EMAIL, password: cfg.SWITCHBOARD_ADMIN_PASSWORD } } : {}),
    ...(cfg.SWITCHBOARD_PUBLIC_URL ? { publicUrl: cfg.SWITCHBOARD_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    ...(oidcSet === 3
      ? { oidc: { issuer: cfg.SWITCHBOARD_OIDC_ISSUER!, clientId: cfg.SWITCHBOARD_OIDC_CLIENT_ID!, clientSecret: cfg.SWITCHBOARD_OIDC_CLIENT_SECRET!, defaultRole: cfg.SWITCHBOARD_OIDC_ROLE ?? 'agent' } }
      : {}),
  };
}
