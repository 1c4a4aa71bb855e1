// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    body.classList.add("govuk-frontend-supported");
  }
  // Radios that reveal more when chosen (app/forms/fields.py RevealingRadioInput): shown
  // or hidden here, with no aria-expanded on the radios (which ARIA does not allow there).
  var groups = document.querySelectorAll(".govuk-radios[data-ta-reveal]");
  Array.prototype.forEach.call(groups, function (group) {
    group.removeAttribute("data-module");
    var inputs = group.querySelectorAll("input[type=radio]");
    function sync() {
      Array.prototype.forEach.call(inputs, function (input) {
        var target = document.getElementById(input.getAttribute("data-aria-controls") || "");
        if (target) {
          target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
        }
      });
    }
    group.addEventListener("change", sync);
    sync();
  });
  // The session-timeout warning (WCAG 2.2.1): two minutes before the idle time-out a
  // modal dialog says so and offers to stay signed in. Before warning, and when time runs
  // out, the page asks the server how long is really left (as polling, which is not
  // activity): another tab may have kept the session alive. At the end the page is
  // fetched again (never a form re-sent): the server asks the person to sign in, then
  // brings them back here. Without JavaScript (or <dialog>) the time-out simply happens.
  var timer = document.querySelector("[data-ta-timeout]");
  var dialog = document.getElementById("ta-timeout-dialog");
  if (timer && dialog && typeof dialog.showModal === "function" && window.fetch) {
    var warnSeconds = parseInt(timer.getAttribute("data-ta-warn"), 10);
    var keepAliveUrl = timer.getAttribute("data-ta-keep-alive");
    var backgroundHeader = timer.getAttribute("data-ta-background");
    var deadline = Date.now() + parseInt(timer.getAttribute("data-ta-timeout"), 10) * 1000;
    var count = document.getElementById("ta-timeout-count");
    var spoken = document.getElementById("ta-timeout-live");
    var stay = document.getElementById("ta-timeout-stay");
    var waiting = null;
    var ticking = null;
    var before = null;
    var lastSpoken = null;
    var headers = function () {
      var found = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      found["Accept"] = "application/json";
      return found;
    };
    var words = function (seconds) {
      if (seconds > 60) {
        return Math.ceil(seconds / 60) + " minutes";
      }
      if (seconds === 60) { return "1 minute"; }
      return seconds + (seconds === 1 ? " second" : " seconds");
    };
    var leave = function () { window.location.assign(window.location.href); };
    // how long the server says is left, without counting as activity
    var ask = function (then) {
      var sent = headers();
      sent[backgroundHeader] = "1";
      window.fetch(keepAliveUrl, {method: "GET", headers: sent, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { then(body ? body.seconds_left : 0); },
              function () { then(null); });
    };
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      count.textContent = words(left);
      // a screen reader hears the time at the start, then each 30 seconds, not each second
      if (lastSpoken === null || (left % 30 === 0 && left !== lastSpoken)) {
        spoken.textContent = "You will be signed out in " + words(left) + ".";
        lastSpoken = left;
      }
      if (left === 0) {
        window.clearInterval(ticking);
        ask(function (seconds) {
          if (seconds && seconds > warnSeconds) { close(); schedule(seconds); } else { leave(); }
        });
      }
    };
    var close = function () {
      window.clearInterval(ticking);
      if (dialog.open) { dialog.close(); }
      spoken.textContent = "";
      if (before && before.focus) { before.focus(); }
    };
    var warn = function () {
      window.clearInterval(ticking);
      before = document.activeElement;
      lastSpoken = null;
      tick();
      dialog.showModal();
      stay.focus();
      ticking = window.setInterval(tick, 1000);
    };
    var schedule = function (seconds) {
      deadline = Date.now() + seconds * 1000;
      window.clearTimeout(waiting);
      waiting = window.setTimeout(function () {
        ask(function (left) {  // another tab may have been busy meanwhile
          if (left && left > warnSeconds + 5) { schedule(left); } else { warn(); }
        });
      }, Math.max(0, (seconds - warnSeconds) * 1000));
    };
    var keepAlive = function () {
      window.fetch(keepAliveUrl, {method: "POST", headers: headers(), credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body) { close(); schedule(body.seconds_left); } else { leave(); }
        }, leave);
    };
    stay.addEventListener("click", keepAlive);
    dialog.addEventListener("cancel", function (event) {  // Escape: stay signed in
      event.preventDefault();
      keepAlive();
    });
    // what htmx fetched in the page counted as activity (unless it was polling)
    body.addEventListener("htmx:afterRequest", function (event) {
      var left = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Session-Seconds-Left");
      if (left) { schedule(parseInt(left, 10)); }
    });
    schedule(parseInt(timer.getAttribute("data-ta-timeout"), 10));
  }
  if (window.GOVUKFrontend) {
    window.GOVUKFrontend.initAll();
  }
})();
