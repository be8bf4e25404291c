// piecerate, in the page's main world of the platform's own web app (Prolific): hands the
// responses of the app's participant API to the content script, which sends them to the
// background. Nothing is changed in the requests or the responses.
(() => {
  const relay = (url, body) => window.postMessage({ piecerate: 'api', url, body }, location.origin);
  const watched = (url) => typeof url === 'string' && url.startsWith(location.origin + '/api/v1/');
  const originalFetch = window.fetch;
  window.fetch = async function (...args) {
    const response = await originalFetch.apply(this, args);
    if (watched(response.url)) response.clone().text().then((body) => relay(response.url, body), () => {});
    return response;
  };
  const originalOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (...args) {
    this.addEventListener('load', () => {
      if (watched(this.responseURL) && (this.responseType === '' || this.responseType === 'text')) {
        relay(this.responseURL, this.responseText);
      }
    });
    return originalOpen.apply(this, args);
  };
})();
