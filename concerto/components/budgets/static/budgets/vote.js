// The running total of a ballot, updated as boxes are ticked or points typed (the server computes the same
// total when the form is sent, so nothing depends on this script).
(function () {
  "use strict";
  function init(form) {
    var box = form.querySelector("#ballot-total");
    if (!box) { return; }
    var text = box.querySelector(".ballot-total__text");
    var kind = box.dataset.kind;
    var total = parseInt(box.dataset.total, 10) || 0;
    var lang = document.documentElement.lang || "fr";
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    function fmt(value) { return kind === "knapsack" ? number.format(value) + "\u00a0€" : number.format(value); }
    var recalculate = form.querySelector("[data-recalculate]");
    if (recalculate) { recalculate.hidden = true; }
    var strong = box.querySelector("strong");
    var last = "";
    function update() {
      var spent = 0, count = 0;
      if (kind === "cumulative") {
        form.querySelectorAll('input[type="number"]').forEach(function (input) {
          var value = parseInt(input.value, 10);
          if (value > 0) { spent += value; count += 1; }
        });
      } else {
        form.querySelectorAll('input[type="checkbox"][name="projets"]:checked').forEach(function (input) {
          spent += kind === "knapsack" ? (parseInt(input.dataset.cost, 10) || 0) : 1;
          count += 1;
        });
      }
      var over = kind === "approval" ? (total > 0 && count > total) : spent > total;
      var left = total - spent;
      var template = over ? box.dataset.textOver : box.dataset.textOk;
      var sentence = template.replace("{left}", fmt(Math.max(left, 0))).replace("{total}", fmt(total))
        .replace("{over}", fmt(Math.max(-left, 0))).replace("{count}", String(count));
      if (sentence === last) { return; }
      last = sentence;
      text.textContent = sentence;
      box.classList.toggle("ballot-total--over", over);
      if (strong) { strong.hidden = !over; }
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("form[data-ballot]").forEach(init);
})();
