// piecerate content script: the thin part that must be JavaScript. It knows no platform: the
// background (Rust) sends a plan of CSS selectors to read and forms to watch, and decides
// what the strings mean. It also reports focus, visibility, whether the focus is inside one of
// the page's frames, and (at most every 2 s) input. It runs in top documents only.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const send = (message) => api.runtime.sendMessage(message).catch(() => {});
  // The HIT usually runs in a frame, often on the requester's own site, where the extension
  // cannot run: while the worker works there, this page sees no input, only that the focus is
  // in the frame (document.hasFocus() with the frame as activeElement). That is reported, and
  // repeated every 15 s while it lasts, so the task keeps earning time (the tracker's rule).
  const inFrame = () => {
    const element = document.activeElement;
    return document.hasFocus() && (element instanceof HTMLIFrameElement || element instanceof HTMLFrameElement);
  };
  const state = () => {
    const visible = document.visibilityState === 'visible';
    return { focused: document.hasFocus(), visible, in_frame: visible && inFrame() };
  };

  let lastInput = 0;
  const onInput = () => {
    const now = Date.now();
    if (now - lastInput < 2000) return;
    lastInput = now;
    send({ kind: 'activity', input: true, ...state() });
  };
  for (const type of ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart', 'scroll']) {
    addEventListener(type, onInput, { capture: true, passive: true });
  }
  let reported = { focused: false, visible: false, in_frame: false };
  let reportedAt = 0;
  const report = () => {
    reported = state();
    reportedAt = Date.now();
    send({ kind: 'activity', input: false, ...reported });
  };
  // Reports the state when it changed, and every 15 s while the focus stays in a frame.
  const check = () => {
    const now = state();
    const changed = now.focused !== reported.focused || now.visible !== reported.visible || now.in_frame !== reported.in_frame;
    if (changed || (now.in_frame && Date.now() - reportedAt >= 15000)) report();
  };
  // Focus moves into a frame a moment after the page's blur: read the state after it settles.
  const onFocusChange = () => setTimeout(check, 0);
  addEventListener('focus', onFocusChange);
  addEventListener('blur', onFocusChange);
  addEventListener('focusin', onFocusChange);
  addEventListener('focusout', onFocusChange);
  document.addEventListener('visibilitychange', onFocusChange);
  // Leaving the browser while the focus is in a frame fires nothing on this page (the frame's
  // window has the blur): check every second.
  setInterval(check, 1000);

  // Responses of the platform's own API, relayed from the page's main world (observe-api.js).
  addEventListener('message', (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const data = event.data;
    if (data && data.piecerate === 'api' && typeof data.url === 'string' && typeof data.body === 'string') {
      send({ kind: 'api', url: data.url, body: data.body });
    }
  });

  const watched = new Set();
  const read = async () => {
    const url = location.href;
    const plan = await api.runtime.sendMessage({ kind: 'plan', url }).catch(() => null);
    if (!plan || !plan.supported) return;
    const values = {};
    for (const probe of plan.probes) {
      values[probe.name] = Array.from(document.querySelectorAll(probe.selector), (element) =>
        probe.read === 'text'
          ? (element.textContent ?? '').replace(/\s+/g, ' ').trim()
          : (element.getAttribute(probe.attribute) ?? ''));
    }
    for (const watch of plan.watches) {
      if (watched.has(watch.name)) continue;
      watched.add(watch.name);
      document.addEventListener('submit', (event) => {
        if (event.target instanceof Element && event.target.matches(watch.selector)) {
          send({ kind: 'watch', name: watch.name });
        }
      }, true);
    }
    send({ kind: 'page', url, values, ...state() });
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', read, { once: true });
  } else {
    read();
  }
  // Single-page apps change the address without loading a page.
  let seen = location.href;
  setInterval(() => {
    if (location.href !== seen) {
      seen = location.href;
      read();
    }
  }, 500);
})();
