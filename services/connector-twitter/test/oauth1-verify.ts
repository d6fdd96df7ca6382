import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The account of a request whose OAuth 1.0a HMAC-SHA1 signature checks out, verified the way X
 * documents it (xdevplatform/docs, fundamentals/authentication/oauth-1-0a/creating-a-signature.mdx):
 * query, oauth_* and form-body parameters, percent-encoded, sorted, signed with consumer and token secrets.
 */
export function oauth1Account<A>(
  req: IncomingMessage,
  url: URL,
  body: string,
  consumerKey: string,
  consumerSecret: string,
  byToken: (token: string) => { account: A; tokenSecret: string } | undefined,
): A | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('OAuth ')) return undefined;
  const oauth: Record<string, string> = {};
  for (const part of header.slice(6).split(',')) {
    const match = /^\s*([\w]+)="([^"]*)"\s*$/.exec(part);
    if (match) oauth[match[1]!] = decodeURIComponent(match[2]!);
  }
  const found = byToken(oauth.oauth_token ?? '');
  if (!found || oauth.oauth_consumer_key !== consumerKey || oauth.oauth_signature_method !== 'HMAC-SHA1') return undefined;
  const params: [string, string][] = [...url.searchParams.entries()];
  for (const [k, v] of Object.entries(oauth)) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) params.push(...new URLSearchParams(body).entries());
  const encoded = params.map(([k, v]) => [rfc3986(k), rfc3986(v)] as const).sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1));
  const baseString = [req.method ?? 'GET', rfc3986(`${url.protocol}//${url.host}${url.pathname}`), rfc3986(encoded.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const expected = createHmac('sha1', `${rfc3986(consumerSecret)}&${rfc3986(found.tokenSecret)}`).update(baseString).digest('base64');
  return expected === oauth.oauth_signature ? found.account : undefined;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
