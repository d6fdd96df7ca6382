/**
 * Gets the first OAuth 2.0 refresh token of an account (Authorization Code with PKCE):
 *   authorize <redirect-uri>                           prints the link to open and the verifier to keep
 *   authorize <redirect-uri> <code> <code-verifier>    exchanges the code X redirected with
 * Reads TWITTER_CLIENT_ID, TWITTER_CLIENT_SECRET (confidential clients) and TWITTER_API_BASE.
 * The refresh token it prints goes into TWITTER_REFRESH_TOKEN (or an entry of TWITTER_ACCOUNTS).
 */
import { twitterConfig } from './config.ts';
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
  const apiBase = cfg.TWITTER_API_BASE.replace(/(?:1\.1|2)\/?$/, '').replace(/\/?$/, '/');
  const tokens = await exchangeCode({ clientId: cfg.TWITTER_CLIENT_ID, clientSecret: cfg.TWITTER_CLIENT_SECRET, apiBase, timeoutMs: cfg.TWITTER_TIMEOUT_MS }, code, codeVerifier, redirectUri);
  if (!tokens.refreshToken) {
    process.stderr.write('X returned no refresh token: the authorization needs the offline.access scope\n');
    process.exit(1);
  }
  process.stdout.write(`TWITTER_REFRESH_TOKEN=${tokens.refreshToken}\n`);
}
