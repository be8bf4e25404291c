// piecerate content script: the thin part that must be JavaScript. It knows no platform: the
// background (Rust) sends a plan of CSS selectors to read and forms to watch, and decides
// what the strings mean. It also reports focus, visibility and (at most every 2 s) input.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const send = (message) => api.runtime.sendMessage(message).catch(() => {});
  const state = () => ({ focused: document.hasFocus(), visible: document.visibilityState === 'visible' });

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
  const onFocusChange = () => send({ kind: 'activity', input: false, ...state() });
  addEventListener('focus', onFocusChange);
  addEventListener('blur', onFocusChange);
  document.addEventListener('visibilitychange', onFocusChange);

  // Frames (the task inside an MTurk page) only report activity, for their tab.
  if (window.top !== window) return;

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
