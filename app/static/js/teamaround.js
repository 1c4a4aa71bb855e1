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
  if (window.GOVUKFrontend) {
    window.GOVUKFrontend.initAll();
  }
})();
