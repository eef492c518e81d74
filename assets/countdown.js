// The time left on a page keeps counting down: each element with `data-until` (the end, in ms since the epoch)
// is rewritten every minute as the server writes it ("3 時間 29 分", "3 h 29 min"). The server's time at the
// response (`data-now`) is the reference, not this machine's clock. Without this script the page shows the
// time left as it was rendered.
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-until]");
  if (!items.length) return;
  var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  var received = nav && nav.responseStart ? performance.timeOrigin + nav.responseStart : Date.now();
  var offset = Number(items[0].dataset.now) - received;
  function text(el, ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000));
    if (minutes >= 60) {
      return Math.floor(minutes / 60) + " " + el.dataset.hours + " " + (minutes % 60) + " " + el.dataset.minutes;
    }
    return minutes + " " + el.dataset.minutes;
  }
  function tick() {
    var now = Date.now() + offset;
    for (var i = 0; i < items.length; i++) {
      items[i].textContent = text(items[i], Number(items[i].dataset.until) - now);
    }
    // Again at the next whole minute of the time left.
    setTimeout(tick, 60000 - ((Number(items[0].dataset.until) - now) % 60000) + 20);
  }
  tick();
})();
