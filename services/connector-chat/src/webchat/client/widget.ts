/**
 * The embeddable widget: `<script src="https://<gateway>/chat/widget.js" async></script>` on the
 * wallet's site adds a floating button that opens the chat page in an iframe. `data-identity` carries
 * the signed-in customer's identity token, which the site's server signed; it goes to the iframe in
 * the URL fragment, which no server or Referer sees. Styles are set through
 * element.style, which a strict Content-Security-Policy on the host page still allows.
 */
import { pickLang, STRINGS } from './i18n.ts';

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || document.getElementById('switchboard-chat-button')) return;
  const chatUrl = new URL(script.src.replace(/\/widget\.js(\?.*)?$/, ''));
  const lang = pickLang(script.dataset.lang ? `?lang=${script.dataset.lang}` : '', navigator.language);
  chatUrl.search = `?embed=1&lang=${lang}`;
  if (script.dataset.identity) chatUrl.hash = `identity=${encodeURIComponent(script.dataset.identity)}`;
  const t = STRINGS[lang];
  const phone = window.matchMedia('(max-width: 480px)');

  const button = document.createElement('button');
  button.id = 'switchboard-chat-button';
  button.type = 'button';
  button.textContent = t.open;
  button.setAttribute('aria-label', t.open);
  button.setAttribute('aria-expanded', 'false');
  Object.assign(button.style, {
    position: 'fixed',
    right: '20px',
    bottom: '20px',
    zIndex: '2147483646',
    padding: '14px 20px',
    border: '0',
    borderRadius: '28px',
    background: '#1463ff',
    color: '#fff',
    font: '600 15px system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", sans-serif',
    boxShadow: '0 6px 20px rgba(20, 60, 160, 0.35)',
    cursor: 'pointer',
  });

  let frame: HTMLIFrameElement | undefined;
  const layout = () => {
    if (!frame) return;
    const full = phone.matches;
    Object.assign(frame.style, {
      position: 'fixed',
      zIndex: '2147483647',
      border: '0',
      background: '#fff',
      right: full ? '0' : '20px',
      bottom: full ? '0' : '88px',
      width: full ? '100vw' : '380px',
      height: full ? '100%' : 'min(600px, calc(100vh - 110px))',
      borderRadius: full ? '0' : '14px',
      boxShadow: full ? 'none' : '0 12px 40px rgba(20, 30, 50, 0.25)',
    });
  };
  const setOpen = (open: boolean) => {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.id = 'switchboard-chat-frame';
      frame.title = t.title;
      frame.src = chatUrl.toString();
      frame.setAttribute('allow', 'clipboard-write');
      document.body.append(frame);
    }
    if (!frame) return;
    layout();
    frame.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
    // On a phone the chat covers the screen; its own close button brings the page back.
    button.style.display = open && phone.matches ? 'none' : 'block';
  };

  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  phone.addEventListener('change', layout);
  window.addEventListener('message', (event) => {
    if (event.origin === chatUrl.origin && (event.data as { type?: unknown } | null)?.type === 'switchboard-chat:close') setOpen(false);
  });
  // currentScript is only known while this runs; the body may come later (a script in <head>).
  if (document.body) document.body.append(button);
  else document.addEventListener('DOMContentLoaded', () => document.body.append(button), { once: true });
})();
