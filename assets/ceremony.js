// The closing ceremony's controls: → or space for the next step, ← to go back, End to the end. Each press sends
// the page's own form (with its CSRF token) and swaps in the page that comes back, so that the step shows at
// once; a step taken elsewhere (another laptop) arrives through the stream. Without this script the buttons
// are plain forms.
(function () {
  "use strict";
  var root = document.getElementById("ceremony");
  if (!root || !window.fetch || !window.DOMParser) return;
  var busy = false;

  function showError(text) {
    var box = document.getElementById("ceremony-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }
  // The page as the server rendered it: its ceremony replaces ours; any other page (the scoreboard, after the
  // finish) is gone to.
  function take(res) {
    return res.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("ceremony");
      if (res.ok && fresh) {
        root.innerHTML = fresh.innerHTML;
        return;
      }
      if (res.ok) { window.location.href = res.url; return; }
      var main = doc.querySelector("main");
      showError(main ? main.textContent.trim() : String(res.status));
    });
  }
  function send(form) {
    if (busy) return;
    busy = true;
    var token = document.querySelector('meta[name="csrfNonce"]');
    // Not `form.action`: the form's field named "action" shadows it.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: token ? { "CSRF-Token": token.content } : {}
    })
      .then(take)
      .catch(function () { showError("…"); })
      .then(function () { busy = false; });
  }
  function reload() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).then(take).catch(function () {});
  }

  root.addEventListener("submit", function (e) {
    e.preventDefault();
    send(e.target);
  });
  var keys = { ArrowRight: "next", " ": "next", Spacebar: "next", ArrowLeft: "back", End: "end" };
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.repeat) return;
    var target = e.target;
    // A box being ticked or a field being typed in keeps its keys.
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    var action = keys[e.key];
    if (!action) return;
    var form = root.querySelector('form[data-action="' + action + '"]');
    // Before the start, "next" starts.
    if (!form && action === "next") form = root.querySelector('form[data-action="start"]');
    var button = form && form.querySelector("button");
    if (!button || button.disabled) return;
    e.preventDefault();
    send(form);
  });

  if (window.EventSource && root.dataset.events) {
    var source = new EventSource(root.dataset.events);
    source.addEventListener("ceremony", function () { if (!busy) reload(); });
  }
})();
