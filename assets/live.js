// Keeps a scoreboard current: on each `scoreboard` event, fetch the table again and swap it in.
// The page works without this script; it only saves the reload.
(function () {
  "use strict";
  var root = document.getElementById("scoreboard");
  if (!root || !window.EventSource || !window.fetch) return;
  var pending = null;
  function refresh() {
    pending = null;
    fetch(root.dataset.fragment, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) root.innerHTML = html; })
      .catch(function () {});
  }
  function connect() {
    var source = new EventSource(root.dataset.events);
    // What changed between the page's render and this (re)connection is fetched once.
    source.addEventListener("open", function () {
      if (!pending) pending = setTimeout(refresh, 150);
    });
    source.addEventListener("scoreboard", function () {
      // Several solves at once make one fetch.
      if (!pending) pending = setTimeout(refresh, 150);
    });
    source.addEventListener("notification", function (e) {
      var box = document.getElementById("live-notice");
      try {
        var note = JSON.parse(e.data);
        if (box) { box.textContent = note.title; box.hidden = false; }
      } catch (err) {}
    });
    // A refused connection (the server is full: 503) is not retried by the browser: try again later.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000 + Math.random() * 20000);
    });
  }
  connect();
})();
