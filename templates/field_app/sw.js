/* Service worker of the field app (scope {{ shell_url }}): keeps the app shell so that it opens offline.
 * Personal data is never cached here: API answers go straight to the network (the app keeps what it needs in
 * IndexedDB), and the shell page is fetched without cookies, so its cached copy is the same for everyone. */
'use strict';

const VERSION = '{{ version }}';
const CACHE = `lapangan-shell-${VERSION}`;
const SHELL_URL = '{{ shell_url }}';
const ASSETS = {{ assets_json|safe }};
const NAVIGATION_TIMEOUT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const shell = new Request(SHELL_URL, { credentials: 'omit', cache: 'reload' });
    const response = await fetch(shell);
    if (!response.ok) throw new Error(`shell ${response.status}`);
    await cache.put(SHELL_URL, response);
    await cache.addAll(ASSETS.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('lapangan-shell-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

async function navigation(request) {
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.status < 500) return response;
  } catch (e) {
    // offline or too slow: fall back to the cached shell
  }
  const cached = await caches.match(SHELL_URL, { cacheName: CACHE });
  return cached || Response.error();
}

async function asset(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith(`${SHELL_URL}api/`)) return;
  if (request.mode === 'navigate') {
    if (url.pathname === SHELL_URL) event.respondWith(navigation(request));
    return;
  }
  if (ASSETS.includes(url.pathname)) event.respondWith(asset(request));
});
