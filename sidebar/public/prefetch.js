/*
 * Starts the customer view's first API reads while the app's JS is still downloading: a classic
 * script runs as soon as the HTML is parsed, long before the module bundle has loaded and the
 * router has rendered the view. The API client (src/api/client.ts) takes these responses instead
 * of asking again; anything not taken is simply dropped. Keep the URLs in step with the client.
 */
(() => {
  const m = /^\/customer\/([^/?#]+)\/?$/.exec(location.pathname);
  if (!m || !window.fetch) return;
  let id;
  try {
    id = encodeURIComponent(decodeURIComponent(m[1]));
  } catch {
    return;
  }
  const init = { credentials: 'same-origin', headers: { accept: 'application/json' } };
  const early = {};
  for (const url of [`/api/customers/${id}`, `/api/customers/${id}/timeline?limit=30`, '/api/me']) {
    early[url] = fetch(url, init);
    // an unused or failed prefetch must not surface as an unhandled rejection
    early[url].catch(() => undefined);
  }
  window.__sidebarPrefetch = early;
})();
