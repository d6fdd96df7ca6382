import * as client from 'openid-client';
import type { OidcSettings } from './config.ts';

/** What the callback needs to finish a sign-in it started: kept server-side, keyed by `state`, for ten minutes. */
interface Pending {
  verifier: string;
  nonce: string;
  expires: number;
}

const PENDING_MS = 10 * 60_000;

/** A loopback issuer (a test's or a developer's own provider) may be plain http; anything else must be https. */
function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * Single sign-on with the team's OpenID Connect provider (openid-client): the authorization code flow with
 * PKCE, state and nonce; the provider's discovery document is fetched on first use.
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly settings: OidcSettings,
    /** Read when a sign-in starts: the listening address is known only once the server listens. */
    private readonly redirectUri: () => string,
  ) {}

  private config(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    this.configuration ??= client
      .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {})
      .catch((error: unknown) => {
        // The provider may come up after us: the next sign-in tries discovery again.
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  /** Where to send the browser to sign in. */
  async start(): Promise<URL> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = Date.now();
    for (const [key, p] of this.pending) if (p.expires < now) this.pending.delete(key);
    this.pending.set(state, { verifier, nonce, expires: now + PENDING_MS });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /** Role of a person signing in this way for the first time. */
  get defaultRole(): OidcSettings['defaultRole'] {
    return this.settings.defaultRole;
  }

  /** The person the provider vouched for, from the callback's query; throws on a wrong or replayed state. */
  async finish(query: URLSearchParams): Promise<{ issuer: string; subject: string; email: string; name?: string }> {
    // The grant checks the callback against the redirect URI it was sent to, so it gets that URL back.
    const callbackUrl = new URL(this.redirectUri());
    callbackUrl.search = query.toString();
    const state = query.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || pending.expires < Date.now()) throw new Error('this sign-in was not started here, or took longer than ten minutes');
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider sent no ID token');
    // Many providers keep the email and name for the userinfo endpoint rather than the ID token.
    const profile = typeof claims.email === 'string' ? claims : { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)) };
    if (typeof profile.email !== 'string') throw new Error('the identity provider sent no email address for this person');
    return { issuer: String(claims.iss), subject: String(claims.sub), email: profile.email, ...(typeof profile.name === 'string' ? { name: profile.name } : {}) };
  }
}
