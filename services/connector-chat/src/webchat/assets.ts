/**
 * The page, its script and stylesheet, and the embeddable widget script. The browser code is plain
 * TypeScript under ./client, bundled by esbuild in memory when the connector starts, so running the
 * service needs no build step.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleBrowserScripts } from '@switchboard/http';

export interface ChatAssets {
  page: string;
  chatJs: string;
  chatCss: string;
  widgetJs: string;
}

const clientDir = fileURLToPath(new URL('./client/', import.meta.url));

export async function buildChatAssets(): Promise<ChatAssets> {
  const scripts = await bundleBrowserScripts({ chat: `${clientDir}chat.ts`, widget: `${clientDir}widget.ts` });
  return { page: PAGE, chatJs: scripts.chat!, widgetJs: scripts.widget!, chatCss: await readFile(`${clientDir}chat.css`, 'utf8') };
}

/** Every visible string is filled in by the script, in the reader's language. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>Chat</title>
<link rel="stylesheet" href="chat/chat.css">
<script defer src="chat/chat.js"></script>
</head>
<body>
<main class="chat" aria-live="polite">
  <header class="chat-header">
    <div>
      <h1 id="title"></h1>
      <p id="status" class="status" data-state="connecting"></p>
    </div>
    <button id="close" class="close" type="button" hidden>×</button>
  </header>
  <ol id="messages" class="messages"></ol>
  <p id="notice" class="notice" role="alert" hidden></p>
  <form id="profile" class="profile" hidden>
    <p id="profile-intro"></p>
    <label><span id="name-label"></span><input id="name" name="name" autocomplete="name" maxlength="100"></label>
    <label><span id="email-label"></span><input id="email" name="email" type="email" autocomplete="email" maxlength="200"></label>
    <div class="profile-actions">
      <button id="skip" type="button" class="secondary"></button>
      <button id="start" type="submit"></button>
    </div>
  </form>
  <form id="composer" class="composer" hidden>
    <textarea id="input" rows="1" required></textarea>
    <button id="send" type="submit"></button>
  </form>
</main>
</body>
</html>
`;

/** The chat page's headers: a strict CSP whose frame-ancestors are the sites allowed to embed it. */
export function chatPageHeaders(host: string | undefined, frameAncestors: string): Record<string, string> {
  // Older Safari does not count ws:/wss: of the page's own host as 'self'.
  const socketOrigins = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${socketOrigins}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
  return { 'content-security-policy': csp, 'referrer-policy': 'no-referrer' };
}
