// The server's clock, and the time left counting down. Pages load it before their own scripts (the venue
// screen's clock uses `mwscupNow`).
//
// The server's time is the reference, not this machine's clock (a projector's may be minutes off): the first
// element with `data-now` holds it, in ms since the epoch, as written when the response began, which the
// navigation's timing tells in the browser's clock.
//
// Each element with `data-until` (an end, in ms since the epoch) is rewritten every minute as the server writes
// it ("3 時間 29 分", "3 h 29 min"). Without this script the page shows the time left as it was rendered.
(function () {
  "use strict";
  var reference = document.querySelector("[data-now]");
  var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  var received = nav && nav.responseStart ? performance.timeOrigin + nav.responseStart : Date.now();
  var offset = reference ? Number(reference.dataset.now) - received : 0;
  window.mwscupNow = function () { return Date.now() + offset; };

  var items = document.querySelectorAll("[data-until]");
  if (!items.length) return;
  function text(el, ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000));
    if (minutes >= 60) {
      return Math.floor(minutes / 60) + " " + el.dataset.hours + " " + (minutes % 60) + " " + el.dataset.minutes;
    }
    return minutes + " " + el.dataset.minutes;
  }
  function tick() {
    var now = window.mwscupNow();
    for (var i = 0; i < items.length; i++) {
      items[i].textContent = text(items[i], Number(items[i].dataset.until) - now);
    }
    // Again at the next whole minute of the time left.
    setTimeout(tick, 60000 - ((Number(items[0].dataset.until) - now) % 60000) + 20);
  }
  tick();
})();
