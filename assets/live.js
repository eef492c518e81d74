// Keeps a scoreboard or the venue screen current: on each `scoreboard` event, fetch the fragment again and
// swap it in. The pages work without this script; it only saves the reload.
(function () {
  "use strict";
  var root = document.getElementById("scoreboard") || document.getElementById("screen");
  if (!root || !window.EventSource || !window.fetch) return;
  var pending = null;
  // The reader's own row (`data-mine`: the table is the same for every reader, the mark is the page's).
  function markMine() {
    var row = root.dataset.mine && root.querySelector('tr[data-team="' + root.dataset.mine + '"]');
    if (row) row.classList.add("mine");
  }
  markMine();
  // A page in parts (`data-parts`: the venue screen) has only the parts that changed replaced, so that what
  // moves on it (the scrolling list) keeps its place; a change of shape replaces the whole.
  function swap(html) {
    if (!root.hasAttribute("data-parts")) { root.innerHTML = html; return; }
    var fresh = document.createElement("template");
    fresh.innerHTML = html;
    var parts = fresh.content.querySelectorAll("[data-part]");
    var olds = [];
    for (var i = 0; i < parts.length; i++) {
      var old = root.querySelector('[data-part="' + parts[i].getAttribute("data-part") + '"]');
      if (!old) { root.innerHTML = html; return; }
      olds.push(old);
    }
    if (olds.length !== root.querySelectorAll("[data-part]").length) { root.innerHTML = html; return; }
    olds.forEach(function (old, i) { if (old.outerHTML !== parts[i].outerHTML) old.replaceWith(parts[i]); });
  }
  function refresh() {
    pending = null;
    fetch(root.dataset.fragment, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        swap(html);
        markMine();
        root.dispatchEvent(new CustomEvent("live:swapped"));
      })
      .catch(function () {});
  }
  // Several events at once make one fetch.
  function soon() {
    if (!pending) pending = setTimeout(refresh, 150);
  }
  // Another script (the screen's clock, at the start or the end) may ask for a fresh copy.
  root.addEventListener("live:refresh", soon);
  // What comes without an event (a pause, a schedule changed on the day) reaches a page that asks for it
  // (`data-poll`, in seconds) now and then.
  if (root.dataset.poll) setInterval(soon, Number(root.dataset.poll) * 1000);
  function connect() {
    var source = new EventSource(root.dataset.events);
    // What changed between the page's render and this (re)connection is fetched once; `data-live` says the
    // page is listening (tests wait for it rather than for a while).
    source.addEventListener("open", function () {
      root.setAttribute("data-live", "open");
      soon();
    });
    source.addEventListener("scoreboard", soon);
    // The closing ceremony moved a step: the venue screen shows the new one.
    source.addEventListener("ceremony", soon);
    source.addEventListener("notification", function (e) {
      // A page in parts shows the announcements itself.
      if (root.hasAttribute("data-parts")) { soon(); return; }
      var box = document.getElementById("live-notice");
      try {
        var note = JSON.parse(e.data);
        // In the page's language only: the English title where the page is English and there is one.
        var en = document.documentElement.lang === "en" && note.title_en;
        if (box) { box.textContent = en ? note.title_en : note.title; box.hidden = false; }
      } catch (err) {}
    });
    // A refused connection (the server is full: 503) is not retried by the browser: try again later.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000 + Math.random() * 20000);
    });
  }
  connect();
})();
