/* Aspirasi without signal, in the page: installs the service worker (sw.js), keeps the draft
   of a half-typed form, holds a submission made without signal on the device and says how
   many wait, marks a page shown from the device's copy. The worker holds the data and does
   the sending; this script asks it by messages. The words come from the page
   (templates/ui/offline.html), in the reader's language. */
(function () {
  "use strict";
  var config = document.getElementById("offline");
  if (!config || !("serviceWorker" in navigator) || !window.indexedDB || !window.MessageChannel) { return; }
  var words = config.dataset;
  var officer = words.officer === undefined ? undefined : (words.officer === "none" ? null : Number(words.officer));
  var form = document.querySelector("form[data-offline-form]");
  var region = document.querySelector("[data-offline-status]");
  var formKey = form ? form.dataset.offlineForm + ":" + (officer || "") : null;
  var done = document.querySelector("[data-offline-done]");
  var worker = null;
  var restoredAt = null;

  var ready = navigator.serviceWorker.register(words.sw, {scope: "/"}).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) { worker = registration; return registration; });

  function ask(type, data) {
    return ready.then(function (registration) {
      return new Promise(function (resolve, reject) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          if (event.data.ok) { resolve(event.data.answer); } else { reject(new Error(event.data.error)); }
        };
        var message = Object.assign({type: type}, data || {});
        (navigator.serviceWorker.controller || registration.active).postMessage(message, [channel.port2]);
      });
    });
  }

  function wib(date) {
    var format = new Intl.DateTimeFormat(document.documentElement.lang || "id", {
      timeZone: "Asia/Jakarta", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit",
    });
    return format.format(date);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  /* ------------------------------------------------------------- a copy from the device */

  var copy = document.documentElement.getAttribute("data-offline-copy");
  if (copy !== null && !form) {
    var fetched = copy ? new Date(copy) : null;
    var when = fetched && !isNaN(fetched) ? wib(fetched) : "—";
    var main = document.querySelector("main") || document.body;
    var note = element("p", {"class": "notice", role: "status", "data-testid": "offline-copy"},
      words.copy.replace("{time}", when));
    main.insertBefore(note, main.firstChild);
  }

  /* ------------------------------------------------------------- the submission key */

  function keyField() {
    var field = form.querySelector("input[name=submission_key]");
    if (!field) {
      field = element("input", {type: "hidden", name: "submission_key"});
      form.appendChild(field);
    }
    if (!field.value) { field.value = newKey(); }
    return field;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ------------------------------------------------------------- drafts */

  var LEFT_OUT = ["csrfmiddlewaretoken", "submission_key", "website", "held_files", "held_keep"];

  function draftOf() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || LEFT_OUT.indexOf(input.name) !== -1 || input.disabled) { return; }
      var type = input.type;
      if (type === "hidden" || type === "submit" || type === "button" || type === "password") { return; }
      if (type === "file") {
        fields.push({n: input.name, f: Array.prototype.slice.call(input.files)});
      } else if (type === "checkbox" || type === "radio") {
        fields.push({n: input.name, v: input.value, c: input.checked});
      } else if (type === "select-multiple") {
        fields.push({n: input.name, m: Array.prototype.filter.call(input.options, function (o) { return o.selected; }).map(function (o) { return o.value; })});
      } else {
        fields.push({n: input.name, v: input.value});
      }
    });
    return fields;
  }

  function hasContent(fields) {
    return fields.some(function (field) {
      return (field.f && field.f.length) || (field.v && field.c === undefined && field.v.trim());
    });
  }

  function fill(fields) {
    fields.forEach(function (field) {
      var inputs = Array.prototype.filter.call(form.elements, function (input) { return input.name === field.n; });
      inputs.forEach(function (input) {
        if (field.f) {
          if (!field.f.length || !window.DataTransfer) { return; }
          var transfer = new DataTransfer();
          field.f.forEach(function (file) { transfer.items.add(file instanceof File ? file : new File([file], file.name || "file", {type: file.type})); });
          try { input.files = transfer.files; } catch (e) { /* an older browser: the files are chosen again */ }
        } else if (field.c !== undefined) {
          if (input.value === field.v) { input.checked = field.c; }
        } else if (field.m) {
          Array.prototype.forEach.call(input.options, function (o) { o.selected = field.m.indexOf(o.value) !== -1; });
        } else {
          input.value = field.v;
        }
      });
    });
  }

  var saving = null;
  function saveSoon() {
    clearTimeout(saving);
    saving = setTimeout(function () {
      var fields = draftOf();
      if (!hasContent(fields)) { ask("forget", {form: formKey}); return; }
      ask("draft", {draft: {form: formKey, owner: officer || null, fields: fields, saved: new Date().toISOString()}});
    }, 400);
  }

  /* ------------------------------------------------------------- the status */

  function counted(n, one, other) {
    return (n === 1 ? one : other).replace("{n}", String(n));
  }

  function button(text, testid, action) {
    var b = element("button", {type: "button", "class": "secondary", "data-testid": testid}, text);
    b.addEventListener("click", action);
    return b;
  }

  function show(state) {
    if (!region || !state) { return; }
    var parts = [];
    if (state.waiting) {
      parts.push(element("p", {"class": "notice", "data-testid": "offline-waiting"},
        counted(state.waiting, words.waitingOne, words.waitingOther)));
    }
    if (state.signin) {
      parts.push(element("p", {"class": "notice", "data-testid": "offline-signin"}, words.signin));
    }
    state.refused.forEach(function (key) {
      var p = element("p", {"class": "notice error", "data-testid": "offline-refused"}, words.refused + " ");
      p.appendChild(button(words.takeBack, "offline-take-back", function () {
        ask("takeBack", {key: key}).then(function (item) {
          if (!item) { return; }
          form.reset();
          fill(item.fields.map(function (field) {
            return typeof field[1] === "string" ? {n: field[0], v: field[1]} : {n: field[0], f: [field[1]]};
          }).filter(function (field) { return LEFT_OUT.indexOf(field.n) === -1; }));
          keyField().value = newKey();
          return ask("state", {form: formKey}).then(show);
        });
      }));
      parts.push(p);
    });
    state.sent.forEach(function (sent) {
      var p = element("p", {"class": "notice success", "data-testid": "offline-sent"}, words.sent + " ");
      if (sent.receipt) { p.appendChild(element("a", {href: sent.receipt}, words.receipt)); p.appendChild(document.createTextNode(" ")); }
      p.appendChild(button(words.hide, "offline-hide", function () { ask("dismiss", {form: formKey, key: sent.key}).then(show); }));
      parts.push(p);
    });
    if (restoredAt) {
      var p = element("p", {"class": "notice", "data-testid": "offline-draft"}, words.draft.replace("{time}", wib(restoredAt)) + " ");
      p.appendChild(button(words.discard, "offline-discard", function () {
        restoredAt = null;
        form.reset();
        ask("forget", {form: formKey}).then(function () { return ask("state", {form: formKey}); }).then(show);
      }));
      parts.push(p);
    }
    var same = region.childNodes.length === parts.length && parts.every(function (part, i) {
      return region.childNodes[i].textContent === part.textContent;
    });
    if (same) { return; }
    while (region.firstChild) { region.removeChild(region.firstChild); }
    parts.forEach(function (part) { region.appendChild(part); });
  }

  /* ------------------------------------------------------------- the page */

  /* a page the worker did not serve is kept now; an officer's page always (a sign-out on
     another tab may have dropped it meanwhile) */
  var keep = !navigator.serviceWorker.controller || typeof officer === "number";
  var hello = {officer: officer, url: location.href, keep: keep, at: performance.timeOrigin || Date.now()};
  if (done) { hello.done = done.dataset.offlineDone + ":" + (officer || ""); }
  hello.seen = location.pathname;
  if (form) { hello.form = formKey; hello.key = keyField().value; }

  ask("hello", hello).then(function (state) {
    if (!form || !state) { return; }
    if (state.taken) { keyField().value = newKey(); } // a copy of a page already sent
    if (state.draft && form.dataset.bound === undefined && hasContent(state.draft.fields)) {
      fill(state.draft.fields);
      restoredAt = new Date(state.draft.saved);
    }
    show(state);
  }).catch(function () { /* no worker: the form works as a plain form */ });

  navigator.serviceWorker.addEventListener("message", function (event) {
    if (form && event.data && event.data.type === "changed") { ask("state", {form: formKey}).then(show, function () {}); }
  });

  window.addEventListener("online", function () {
    ask("flush", {form: formKey}).then(show, function () {});
  });

  var signout = document.querySelector("form[data-offline-signout]");
  if (signout) {
    signout.addEventListener("submit", function () { ask("signout"); });
  }

  if (!form) { return; }
  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; } // held back by another script (photos being scaled)
    var key = keyField().value;
    if (navigator.onLine || !worker) {
      ask("submitting", {key: key});
      return; // the browser sends it
    }
    event.preventDefault();
    clearTimeout(saving);
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" && !value.size && !value.name) { return; } // no file chosen
      fields.push([name, value]);
    });
    var item = {key: key, form: formKey, owner: officer || null, url: form.action || location.href, fields: fields};
    ask("enqueue", {item: item}).then(function (state) {
      restoredAt = null;
      form.reset();
      keyField().value = newKey();
      show(state);
      if (worker.sync) { worker.sync.register("aspirasi-queue").catch(function () {}); }
      region.focus();
      region.scrollIntoView({block: "center"});
    });
  });
})();
