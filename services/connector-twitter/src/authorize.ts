/**
 * Gets the first OAuth 2.0 refresh token of an account (Authorization Code with PKCE):
 *   authorize <redirect-uri>                           prints the link to open and the verifier to keep
 *   authorize <redirect-uri> <code> <code-verifier>    exchanges the code X redirected with
 * Reads TWITTER_CLIENT_ID, TWITTER_CLIENT_SECRET (confidential clients) and TWITTER_API_BASE.
 * The refresh token it prints goes into TWITTER_REFRESH_TOKEN (or an entry of TWITTER_ACCOUNTS).
 */
import { apiRoot, twitterConfig } from './config.ts';
import { authorizationLink, exchangeCode } from './oauth2.ts';

const cfg = twitterConfig.load(process.env);
const [redirectUri, code, codeVerifier] = process.argv.slice(2);
if (!cfg.TWITTER_CLIENT_ID || !redirectUri) {
  process.stderr.write('usage: TWITTER_CLIENT_ID=… authorize <redirect-uri> [<code> <code-verifier>]\n');
  process.exit(2);
}
if (!code || !codeVerifier) {
  const link = authorizationLink(cfg.TWITTER_CLIENT_ID, redirectUri);
  process.stdout.write(`open:          ${link.url}\ncode verifier: ${link.codeVerifier}\nstate:         ${link.state} (check it on the redirect)\n`);
} else {
  const app = { clientId: cfg.TWITTER_CLIENT_ID, clientSecret: cfg.TWITTER_CLIENT_SECRET, apiBase: apiRoot(cfg.TWITTER_API_BASE), timeoutMs: cfg.TWITTER_TIMEOUT_MS };
  const tokens = await exchangeCode(app, code, codeVerifier, redirectUri).catch((error: unknown) => {
    // A code lives 30 seconds and is spent on the first try: say so rather than print a stack.
    process.stderr.write(`X refused the code (${error instanceof Error ? error.message : String(error)}): open a new link and exchange its code within 30 seconds\n`);
    process.exit(1);
  });
  if (!tokens.refreshToken) {
    process.stderr.write('X returned no refresh token: the authorization needs the offline.access scope\n');
    process.exit(1);
  }
  process.stdout.write(`TWITTER_REFRESH_TOKEN=${tokens.refreshToken}\n`);
}
