/**
 * Whether Meta still accepts our tokens. A Graph error 190 (expired, revoked, password changed) means
 * no reply on that product can go out until someone replaces the token: the channel is then not ready
 * in /readyz and the console says why. A later accepted call (a token re-authorised on Meta's side)
 * clears it.
 */
export type CredentialName = 'page' | 'whatsapp';

const LABELS: Record<CredentialName, string> = {
  page: 'Messenger and Instagram page token (META_PAGE_ACCESS_TOKEN)',
  whatsapp: 'WhatsApp access token (WHATSAPP_ACCESS_TOKEN)',
};

export interface CredentialState {
  configured: boolean;
  accepted: boolean;
  rejectedAt?: string;
  reason?: string;
}

export class Credentials {
  private readonly rejected = new Map<CredentialName, { at: string; reason: string }>();

  constructor(private readonly configured: Record<CredentialName, boolean>) {}

  reject(name: CredentialName, reason: string, at: Date): void {
    this.rejected.set(name, { at: at.toISOString(), reason });
  }

  accept(name: CredentialName): void {
    this.rejected.delete(name);
  }

  /** Sentences for the health status, one per rejected token. */
  problems(): string[] {
    return [...this.rejected].map(([name, { reason }]) => `${LABELS[name]} rejected: ${reason}`);
  }

  states(): Record<CredentialName, CredentialState> {
    const state = (name: CredentialName): CredentialState => {
      const rejected = this.rejected.get(name);
      return { configured: this.configured[name], accepted: !rejected, ...(rejected ? { rejectedAt: rejected.at, reason: rejected.reason } : {}) };
    };
    return { page: state('page'), whatsapp: state('whatsapp') };
  }
}
