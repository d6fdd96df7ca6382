import { describe, expect, it } from 'vitest';
import { classifyGraphError } from '../src/index.ts';

/** Codes and messages as Meta documents them (see the comment at the top of src/graph.ts). */
describe('Graph API errors, as a send sees them', () => {
  it.each([
    ['an expired token', 400, { code: 190, error_subcode: 463, type: 'OAuthException', message: 'Error validating access token: Session has expired.' }, 'token', /access token rejected by Meta: the token expired .*\(190\/463\)/],
    ['a token invalidated by a password change', 400, { code: 190, error_subcode: 460, message: 'Error validating access token: The session has been invalidated' }, 'token', /the password was changed/],
    ['a token Meta cannot parse', 400, { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, 'token', /\(190\)$/],
    ['the app rate limit', 400, { code: 4, message: '(#4) Application request limit reached' }, 'rate-limit', /rate limited by Meta/],
    ['the Page rate limit', 400, { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' }, 'rate-limit', /613/],
    ["the WhatsApp Business Account's rate limit", 400, { code: 80007, message: '(#80007) Rate limit issues', error_data: { details: 'The WhatsApp Business Account has reached its rate limit.' } }, 'rate-limit', /reached its rate limit\. \(80007\)/],
    ['Cloud API throughput', 400, { code: 130429, message: '(#130429) Rate limit hit' }, 'rate-limit', /130429/],
    ['too many messages to one customer', 400, { code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' }, 'rate-limit', /pair rate limit/],
    ["Messenger's window", 400, { code: 10, error_subcode: 2018278, message: '(#10) This message is sent outside of allowed window.' }, 'window', /outside the messaging window .*\(10\/2018278\)/],
    ["WhatsApp's 24-hour window", 400, { code: 131047, message: '(#131047) Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } }, 'window', /more than 24 hours .*\(131047\)/],
    ['a permission missing (code 10 without a window subcode)', 400, { code: 10, message: '(#10) Requires pages_messaging permission' }, 'refused', /refused by Meta/],
    ['a person who cannot be reached', 400, { code: 551, error_subcode: 1545041, message: "This person isn't available right now." }, 'refused', /cannot receive messages now/],
    ['an unknown recipient', 400, { code: 100, error_subcode: 2018001, message: '(#100) No matching user found' }, 'refused', /No matching user found \(100\/2018001\)/],
    ['a template that does not exist', 400, { code: 132001, message: '(#132001) Template name does not exist in the translation' }, 'refused', /132001/],
    ['an unknown error', 500, { code: 1, message: 'An unknown error occurred' }, 'transient', /temporarily unavailable/],
    ['a temporary outage', 503, { code: 2, message: 'Service temporarily unavailable' }, 'transient', /\(2\)/],
    ['a WhatsApp service outage', 400, { code: 131016, message: '(#131016) Service unavailable' }, 'transient', /131016/],
  ] as const)('%s', (_what, status, error, kind, reason) => {
    const failure = classifyGraphError(status, error);
    expect(failure.kind).toBe(kind);
    expect(failure.reason).toMatch(reason);
  });

  it('goes by the HTTP status when the body has no error code', () => {
    expect(classifyGraphError(502, undefined).kind).toBe('transient');
    expect(classifyGraphError(429, undefined).kind).toBe('rate-limit');
    expect(classifyGraphError(404, {}).kind).toBe('refused');
  });
});
