/* Progressive enhancement of the report form: map.js writes the point into the latitude and longitude inputs
   without an event; this tells the form (event "point-changed") so that HTMX refreshes the categories of the
   commune at the point and the reports already sent nearby. A change of category is told the same way
   ("category-changed"): htmx's [filters] in hx-trigger need eval, which the Content-Security-Policy forbids.
   Without JavaScript the form works the same. */
(function () {
  "use strict";
  function watch(form) {
    var lat = form.querySelector("[data-point-latitude]");
    var lng = form.querySelector("[data-point-longitude]");
    if (!lat || !lng) { return; }
    var last = lat.value + "," + lng.value;
    function check() {
      var now = lat.value + "," + lng.value;
      if (now !== last && lat.value && lng.value) {
        last = now;
        form.dispatchEvent(new CustomEvent("point-changed", { bubbles: true }));
      }
    }
    setInterval(check, 500);
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "category") {
        form.dispatchEvent(new CustomEvent("category-changed", { bubbles: true }));
      }
    });
    lat.addEventListener("change", check);
    lng.addEventListener("change", check);
  }
  // A refresh of the categories must not undo a category chosen while it was loading.
  var chosen = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "report-category-section") {
      var select = event.detail.target.querySelector("select[name=category]");
      chosen = select ? select.value : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var wanted = chosen;
    chosen = null;
    var section = document.getElementById("report-category-section");
    var select = section && section.querySelector("select[name=category]");
    if (!select || !wanted || select.value === wanted) { return; }
    if (select.querySelector('option[value="' + wanted.replace(/[^0-9]/g, "") + '"]')) {
      select.value = wanted;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-report-form]"), watch);
  });
})();
