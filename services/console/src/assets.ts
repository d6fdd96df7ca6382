/**
 * The page, its script and stylesheet. The browser code is plain TypeScript under ./client, bundled by
 * esbuild in memory the first time it is needed (started as soon as the console is created), so
 * running Switchboard needs no separate build step.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleBrowserScripts, type HttpResponse, type HttpRoute } from '@switchboard/http';
import { CATEGORIES, LANGUAGES, PRIORITIES } from '@switchboard/schema';
import { OTHER_DESCRIPTOR, type ChannelDescriptor, type ChannelRegistry } from '@switchboard/connector-sdk';
import { TICKET_STATUSES } from '@switchboard/ticket-store';
import { grants } from '@switchboard/team';
import type { Logger } from '@switchboard/runtime';

export const CONSOLE_PATH = '/console';

interface Bundle {
  script: string;
  style: string;
}

/** What the page shows of a channel: its descriptor without the policy (the server applies that). */
function channelView(d: ChannelDescriptor) {
  return { id: d.id, label: d.label, icon: d.icon, publicReplies: d.publicReplies === true, replyModes: d.replyModes ?? {} };
}

/** The lists the page needs, the registered channels included, written into the bundle. */
function vocabulary(channels: ChannelRegistry) {
  return { CATEGORIES, PRIORITIES, LANGUAGES, STATUSES: TICKET_STATUSES, CHANNELS: channels.all().map(channelView), OTHER_CHANNEL: channelView(OTHER_DESCRIPTOR), GRANTS: grants() };
}

const clientDir = fileURLToPath(new URL('./client/', import.meta.url));

async function bundle(channels: ChannelRegistry): Promise<Bundle> {
  const { console: script } = await bundleBrowserScripts({ console: `${clientDir}main.ts` }, { __SWITCHBOARD_VOCABULARY__: JSON.stringify(vocabulary(channels)) });
  return { script: script!, style: await readFile(`${clientDir}console.css`, 'utf8') };
}

/** Every visible string is set by the script, in the reader's language. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex">
<title>Switchboard</title>
<link rel="stylesheet" href="console/console.css">
<script defer src="console/console.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>This console needs JavaScript.</noscript>
</body>
</html>
`;

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    // Recordings are fetched with the token and played from object URLs.
    "media-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export class ConsoleAssets {
  private built: Promise<Bundle>;

  constructor(
    private readonly logger: Logger,
    private readonly channels: ChannelRegistry,
  ) {
    this.built = this.start();
  }

  private start(): Promise<Bundle> {
    const work = bundle(this.channels);
    work.catch((error: unknown) => this.logger.error('console assets not built', { error }));
    return work;
  }

  private async serve(pick: (b: Bundle) => string, contentType: string): Promise<HttpResponse> {
    let assets: Bundle;
    try {
      assets = await this.built;
    } catch {
      // A failed build (a file being edited) is tried again on the next request.
      this.built = this.start();
      return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'console assets not built; see the server log' };
    }
    return { status: 200, headers: { 'content-type': contentType, ...SECURITY_HEADERS }, body: pick(assets) };
  }

  routes(): HttpRoute[] {
    return [
      { method: 'GET', path: CONSOLE_PATH, handle: async () => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS }, body: PAGE }) },
      { method: 'GET', path: `${CONSOLE_PATH}/`, handle: async () => ({ status: 308, headers: { location: CONSOLE_PATH } }) },
      { method: 'GET', path: `${CONSOLE_PATH}/console.js`, handle: () => this.serve((b) => b.script, 'text/javascript; charset=utf-8') },
      { method: 'GET', path: `${CONSOLE_PATH}/console.css`, handle: () => this.serve((b) => b.style, 'text/css; charset=utf-8') },
    ];
  }
}
