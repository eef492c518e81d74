// The venue screen's clock (on the server's time, from countdown.js) and scrolling list. The page is right
// without it (the time left as rendered, the other teams in a list of their own to scroll); live.js keeps its
// content current.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var clock = document.getElementById("screen-clock");
  if (!root || !clock) return;

  // The server's clock, from countdown.js (loaded first).
  var serverNow = window.mwscupNow || Date.now;
  var label = clock.querySelector(".label");
  var digits = clock.querySelector(".digits");
  var phase = null;
  function two(n) { return (n < 10 ? "0" : "") + n; }
  // As the server writes it: H:MM:SS, seconds rounded up.
  function format(ms) {
    var s = Math.ceil(Math.max(0, ms) / 1000);
    return Math.floor(s / 3600) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  }
  function tick() {
    // The times come with the live part, so that a schedule changed on the day is followed.
    var times = root.querySelector("[data-starts]");
    var now = serverNow();
    if (times) {
      var starts = Number(times.dataset.starts), ends = Number(times.dataset.ends);
      var next = now < starts ? "before" : now < ends ? "running" : "over";
      label.textContent = clock.dataset[next];
      digits.textContent = next === "before" ? format(starts - now) : next === "running" ? format(ends - now) : "";
      if (phase !== null && phase !== next) root.dispatchEvent(new CustomEvent("live:refresh"));
      phase = next;
    }
    setTimeout(tick, 1000 - (now % 1000) + 10);
  }
  tick();

  // The teams below the top scroll slowly when they do not fit, unless the viewer asked for less motion: the
  // list is followed by a copy of itself, and the track moves up by one list's height, round and round.
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function loop() {
    var track = root.querySelector(".screen-track");
    var list = track && track.querySelector("[data-part=rest]");
    if (!list) return;
    var copy = track.querySelector(".screen-copy");
    if (copy) copy.remove();
    var fits = list.offsetHeight <= track.parentNode.clientHeight;
    if (still || fits) {
      track.classList.remove("moving");
      track.parentNode.classList.remove("moving");
      return;
    }
    copy = list.cloneNode(true);
    copy.removeAttribute("data-part");
    copy.classList.add("screen-copy");
    copy.setAttribute("aria-hidden", "true");
    track.appendChild(copy);
    // Two seconds a team, whatever their number (set through the CSSOM, which the CSP allows).
    var duration = list.children.length * 2 + "s";
    if (track.style.animationDuration !== duration) track.style.animationDuration = duration;
    track.classList.add("moving");
    track.parentNode.classList.add("moving");
  }
  loop();
  root.addEventListener("live:swapped", loop);
  window.addEventListener("resize", loop);
})();
