/* The service worker of Aspirasi, served at /sw.js by config/pwa.py, which puts
   `self.ASPIRASI` in front of this file: the URLs it needs and its version.

   - Keeps for use without signal: the static files, the public pages with the form, the KIM
     intake page (that page only of the officers' pages; dropped when an officer signs out)
     and the tracking pages already seen. Pages are asked of the network first; without an
     answer the kept copy is shown, marked with the time it was fetched.
   - Holds the submissions made without signal (IndexedDB) and sends them when the connection
     returns: on Background Sync where the browser has it, and whenever a page of the site
     loads or sees the connection come back. One sender at a time; each submission keeps its
     submission key, so the server takes a repeat as the same submission.
   - Holds the drafts of half-typed forms.

   The pages talk to it by messages (offline.js); it is the only one to open the database. */
"use strict";

var A = self.ASPIRASI;
importScripts.apply(self, A.imports);

var FILES = "aspirasi-files";
var PAGES = "aspirasi-pages";
var OFFICER = "aspirasi-officer";
var TRACKING = "aspirasi-tracking";
var SYNC_TAG = "aspirasi-queue";
var QUEUE = "queue";
var DRAFTS = "drafts";
var SENT = "sent";
var META = "meta";
var TAKEN_KEPT = 100; // submission keys remembered as used

/* ---------------------------------------------------------------- the kept pages */

function isIn(list, path) {
  return list.indexOf(path) !== -1;
}

function startsWithAny(list, path) {
  return list.some(function (prefix) { return path.indexOf(prefix) === 0; });
}

function routeOf(url) {
  if (url.origin !== self.location.origin) { return null; }
  if (isIn(A.forms, url.pathname)) { return PAGES; }
  if (isIn(A.officer, url.pathname)) { return OFFICER; }
  if (startsWithAny(A.tracking, url.pathname)) { return TRACKING; }
  return null;
}

/* A copy from the cache says so, and since when: the page shows it (offline.js). */
var markCopy = {
  cachedResponseWillBeUsed: function (options) {
    var response = options.cachedResponse;
    if (!response) { return null; }
    var fetched = response.headers.get("date") || "";
    return response.text().then(function (html) {
      var marked = html.replace(/<html\b/i, function (tag) {
        return tag + ' data-offline-copy="' + fetched.replace(/"/g, "") + '"';
      });
      return new Response(marked, {status: response.status, headers: response.headers});
    });
  },
};

var okOnly = new workbox.cacheableResponse.CacheableResponsePlugin({statuses: [200]});

/* Pages only: a file opened from a tracking page is not kept. */
var htmlOnly = {
  cacheWillUpdate: function (options) {
    var type = options.response.headers.get("content-type") || "";
    return type.indexOf("text/html") === 0 ? options.response : null;
  },
};

function pageStrategy(cacheName, seconds, more) {
  return new workbox.strategies.NetworkFirst({
    cacheName: cacheName,
    networkTimeoutSeconds: seconds,
    matchOptions: {ignoreVary: true}, // pages vary on the cookie and the language
    plugins: [okOnly, htmlOnly, markCopy].concat(more || []),
  });
}

var strategies = {};
strategies[PAGES] = pageStrategy(PAGES, 6);
strategies[OFFICER] = pageStrategy(OFFICER, 6);
strategies[TRACKING] = pageStrategy(TRACKING, 8, [
  new workbox.expiration.ExpirationPlugin({maxEntries: 30, maxAgeSeconds: 60 * 24 * 3600}),
]);

workbox.routing.registerRoute(function (options) {
  var request = options.request;
  return request.mode === "navigate" && routeOf(options.url) !== null;
}, function (options) {
  return strategies[routeOf(options.url)].handle(options);
});

workbox.routing.registerRoute(function (options) {
  return options.url.origin === self.location.origin &&
    options.url.pathname.indexOf(A.static) === 0;
}, new workbox.strategies.CacheFirst({
  cacheName: FILES,
  plugins: [okOnly, new workbox.expiration.ExpirationPlugin({maxEntries: 80})],
}));

/* A page seen before the worker took charge of it (or whose copy went with a sign-out that
   crossed the sign-in): fetched again into its cache. */
function keep(href) {
  var url = new URL(href);
  var cacheName = routeOf(url);
  if (!cacheName) { return Promise.resolve(); }
  return caches.match(url.href, {cacheName: cacheName, ignoreVary: true}).then(function (kept) {
    return kept ? null : fetch(url.href, {credentials: "same-origin"});
  }).then(function (response) {
    if (!response) { return; }
    var type = response.headers.get("content-type") || "";
    if (response.status !== 200 || response.redirected || type.indexOf("text/html") !== 0) { return; }
    return caches.open(cacheName).then(function (cache) {
      return cache.put(url.href, response);
    }).then(function () {
      // the officers' intake page kept: so are the files only officers' pages use (a page
      // the worker already serves fetches them through it)
      return cacheName === OFFICER ? fill(FILES, A.officer_files, false) : null;
    });
  }).catch(function () { /* no signal: kept on the next visit */ });
}

/* Each file on its own: one lost on a weak link does not stop the worker, which fetches it
   when a page asks for it. */
function fill(cacheName, urls, reload) {
  return caches.open(cacheName).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return cache.add(reload ? new Request(url, {cache: "reload"}) : url).catch(noop);
    }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(fill(FILES, A.files, true).then(function () {
    return fill(PAGES, A.forms, false);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim().then(function () { return flush().catch(noop); }));
});

/* ---------------------------------------------------------------- the database */

var opened = null;

function database() {
  if (!opened) {
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open("aspirasi-offline", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(QUEUE, {keyPath: "key"});
        db.createObjectStore(DRAFTS, {keyPath: "form"});
        db.createObjectStore(SENT, {keyPath: "key"});
        db.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opened = null; reject(request.error); };
    });
  }
  return opened;
}

/* One transaction on one store: `work(store)` may return a request whose result is the
   answer; the promise settles when the transaction is committed. */
function inStore(name, mode, work) {
  return database().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(name, mode);
      var request = work(tx.objectStore(name));
      var result;
      if (request) { request.onsuccess = function () { result = request.result; }; }
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  });
}

function getAll(name) { return inStore(name, "readonly", function (s) { return s.getAll(); }); }
function get(name, key) { return inStore(name, "readonly", function (s) { return s.get(key); }); }
function put(name, value, key) {
  return inStore(name, "readwrite", function (s) {
    return key === undefined ? s.put(value) : s.put(value, key);
  });
}
function remove(name, key) { return inStore(name, "readwrite", function (s) { return s.delete(key); }); }
function noop() {}

function takeKey(key) {
  return get(META, "taken").then(function (taken) {
    taken = (taken || []).filter(function (k) { return k !== key; });
    taken.push(key);
    return put(META, taken.slice(-TAKEN_KEPT), "taken");
  });
}

/* ---------------------------------------------------------------- sending */

function formData(fields) {
  var body = new FormData();
  fields.forEach(function (field) {
    if (typeof field[1] === "string") { body.append(field[0], field[1]); } else { body.append(field[0], field[1], field[1].name); }
  });
  return body;
}

/* The form page again, for a fresh CSRF token (the officer signed in again since). */
function freshToken(item) {
  return fetch(item.url, {credentials: "same-origin"}).then(function (response) {
    return response.ok && !response.redirected ? response.text() : "";
  }).then(function (html) {
    var found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
    if (!found) { return false; }
    item.fields = item.fields.map(function (field) {
      return field[0] === "csrfmiddlewaretoken" ? [field[0], found[1]] : field;
    });
    return true;
  });
}

/* Sends one submission. Resolves with how it ended; rejects when it should be tried again
   later (no signal, the server busy or limiting). */
function send(item, again) {
  return fetch(item.url, {
    method: "POST",
    body: formData(item.fields),
    credentials: "same-origin",
    headers: {"Idempotency-Key": item.key},
  }).then(function (response) {
    var path = new URL(response.url).pathname;
    if (response.redirected && path.indexOf(A.login) === 0) { return {state: "signin"}; }
    if (response.ok) { return {sent: true, response: response, path: response.redirected ? path : ""}; }
    if (response.status === 403 && !again) {
      return freshToken(item).then(function (fresh) {
        return fresh ? send(item, true) : {state: "refused"};
      });
    }
    if (response.status === 409 || response.status === 429 || response.status >= 500) {
      throw new Error("later: " + response.status);
    }
    return {state: "refused"}; // the server will not take it as it is
  });
}

/* The receipt of a citizen's submission is kept with the tracking pages, to be read offline. */
function keepReceipt(item, outcome) {
  if (item.owner !== null || !outcome.path) { return Promise.resolve(); }
  return outcome.response.blob().then(function (body) {
    var copy = new Response(body, {status: 200, headers: outcome.response.headers});
    return caches.open(TRACKING).then(function (cache) { return cache.put(outcome.response.url, copy); });
  });
}

function sendAll() {
  var failed = null;
  return Promise.all([getAll(QUEUE), get(META, "officer")]).then(function (found) {
    var items = found[0].sort(function (a, b) { return a.queued < b.queued ? -1 : 1; });
    var officer = found[1] === undefined ? null : found[1];
    return items.reduce(function (previous, item) {
      return previous.then(function () {
        if (failed || item.state === "refused") { return; }
        if (item.owner !== null && item.owner !== officer) { return; } // waits for its operator
        return send(item).then(function (outcome) {
          if (!outcome.sent) {
            item.state = outcome.state;
            return put(QUEUE, item);
          }
          return remove(QUEUE, item.key).then(function () {
            return put(SENT, {key: item.key, form: item.form, receipt: outcome.path, sent: new Date().toISOString()});
          }).then(function () { return keepReceipt(item, outcome).catch(noop); });
        }, function (error) { failed = error; });
      });
    }, Promise.resolve());
  }).then(function () {
    return changed();
  }).then(function () {
    if (failed) { throw failed; }
  });
}

var running = Promise.resolve();

/* One pass at a time, in this worker and (where the browser has Web Locks) across workers. */
function flush() {
  var pass = running.catch(noop).then(function () {
    if (self.navigator.locks) { return self.navigator.locks.request(SYNC_TAG, sendAll); }
    return sendAll();
  });
  running = pass;
  return pass;
}

function changed() {
  return self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({type: "changed"}); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) { event.waitUntil(flush()); }
});

/* ---------------------------------------------------------------- the pages' questions */

function state(form, key) {
  return Promise.all([getAll(QUEUE), getAll(SENT), get(DRAFTS, form), get(META, "taken")]).then(function (found) {
    var mine = found[0].filter(function (item) { return item.form === form; });
    return {
      waiting: mine.filter(function (item) { return !item.state || item.state === "waiting"; }).length,
      signin: mine.filter(function (item) { return item.state === "signin"; }).length,
      refused: mine.filter(function (item) { return item.state === "refused"; }).map(function (item) { return item.key; }),
      sent: found[1].filter(function (item) { return item.form === form; }),
      draft: found[2] || null,
      taken: !!key && (found[3] || []).indexOf(key) !== -1,
    };
  });
}

/* Who is signed in on the officers' side, as the latest page loaded says (a page that loaded
   earlier but speaks later is not heard). */
function officerIs(officer, at) {
  return get(META, "officerAt").then(function (last) {
    if (last && last > at) { return; }
    return put(META, at, "officerAt").then(function () {
      return officer === null ? signedOut(false) : put(META, officer, "officer");
    });
  });
}

function signedOut(everything) {
  var work = [caches.delete(OFFICER), put(META, null, "officer")];
  if (everything) {
    work.push(getAll(DRAFTS).then(function (drafts) {
      return Promise.all(drafts.filter(function (d) { return d.owner !== null; }).map(function (d) {
        return remove(DRAFTS, d.form);
      }));
    }));
  }
  return Promise.all(work);
}

var handlers = {
  hello: function (data) {
    var work = [];
    if (data.officer !== undefined) { work.push(officerIs(data.officer, data.at)); }
    if (data.keep) { work.push(keep(data.url)); }
    if (data.done) {
      work.push(remove(DRAFTS, data.done));
    }
    if (data.seen) {
      work.push(getAll(SENT).then(function (sent) {
        return Promise.all(sent.filter(function (s) { return s.receipt === data.seen; }).map(function (s) {
          return remove(SENT, s.key);
        }));
      }));
    }
    return Promise.all(work).then(function () {
      flush().catch(noop);
      return data.form ? state(data.form, data.key) : null;
    });
  },
  enqueue: function (data) {
    var item = data.item;
    item.queued = new Date().toISOString();
    item.state = "waiting";
    return put(QUEUE, item).then(function () { return takeKey(item.key); }).then(function () {
      return remove(DRAFTS, item.form);
    }).then(function () { return state(item.form); });
  },
  submitting: function (data) { return takeKey(data.key); },
  state: function (data) { return data.form ? state(data.form, data.key) : null; },
  flush: function (data) {
    return flush().catch(noop).then(function () { return data.form ? state(data.form) : null; });
  },
  draft: function (data) { return put(DRAFTS, data.draft); },
  forget: function (data) { return remove(DRAFTS, data.form); },
  dismiss: function (data) { return remove(SENT, data.key).then(function () { return state(data.form); }); },
  takeBack: function (data) {
    return get(QUEUE, data.key).then(function (item) {
      return remove(QUEUE, data.key).then(function () { return item || null; });
    });
  },
  signout: function () {
    return put(META, Date.now(), "officerAt").then(function () { return signedOut(true); });
  },
};

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var handler = handlers[data.type];
  var port = event.ports && event.ports[0];
  if (!handler) { return; }
  event.waitUntil(Promise.resolve().then(function () { return handler(data); }).then(function (answer) {
    if (port) { port.postMessage({ok: true, answer: answer === undefined ? null : answer}); }
  }, function (error) {
    if (port) { port.postMessage({ok: false, error: String(error)}); }
  }));
});
