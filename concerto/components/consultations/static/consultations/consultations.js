/* Consultations: show conditional questions as people answer, and keep unfinished answers on this device.
   Progressive enhancement only: without JavaScript every question is shown with a sentence saying when
   to answer it, and the server drops the answers to questions that should have stayed hidden. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }  // blocked in some private modes
  }

  function chosen(form, questionId) {
    var values = [];
    form.querySelectorAll('[name="q' + questionId + '"]').forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function applyConditions(form) {
    var dependent = form.querySelectorAll("[data-show-when-question]");
    // Several passes, for chains: C depends on B, which depends on A.
    for (var pass = 0; pass <= dependent.length; pass += 1) {
      var changed = false;
      dependent.forEach(function (question) {
        var parentId = question.getAttribute("data-show-when-question");
        var parent = form.querySelector('[data-question="' + parentId + '"]');
        var visible = (!parent || !parent.hidden) &&
          chosen(form, parentId).indexOf(question.getAttribute("data-show-when-option")) !== -1;
        if (question.hidden === visible) {
          question.hidden = !visible;
          changed = true;
        }
      });
      if (!changed) { break; }
    }
    // The "other, specify" box: shown once "Other" is chosen (or when it already holds text).
    form.querySelectorAll("[data-other-for]").forEach(function (box) {
      var input = box.querySelector("input, textarea");
      var picked = chosen(form, box.getAttribute("data-other-for")).indexOf(box.getAttribute("data-other-option")) !== -1;
      box.hidden = !picked && !(input && input.value) && !box.querySelector(".field-error");
    });
  }

  function serialize(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || element.type === "submit" || element.type === "button") { return; }
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) { return; }
      (data[name] = data[name] || []).push(element.value);
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || element.type === "submit" || element.type === "button") { return; }
      var values = data[name] || [];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (name in data) {
        element.value = values[0] || "";
      }
    });
  }

  function keepDrafts(form, store) {
    var key = form.getAttribute("data-draft-key");
    if (!key || !store) { return; }
    var savedOnServer = parseInt(form.getAttribute("data-saved-at") || "0", 10);
    var stored = null;
    try { stored = JSON.parse(store.getItem(key) || "null"); } catch (error) { stored = null; }
    // A page shown again with errors already holds what was typed; a newer save on the server wins.
    if (stored && stored.values && !form.hasAttribute("data-bound") && stored.savedAt > savedOnServer) {
      restore(form, stored.values);
      var notice = document.querySelector("[data-local-draft-notice]");
      if (notice) {
        notice.hidden = false;
        var clear = notice.querySelector("[data-local-draft-clear]");
        if (clear) {
          clear.addEventListener("click", function () {
            store.removeItem(key);
            window.location.reload();
          });
        }
      }
    }
    var timer = null;
    function save() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try { store.setItem(key, JSON.stringify({ savedAt: Date.now(), values: serialize(form) })); } catch (error) { /* full */ }
      }, 300);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }

  ready(function () {
    var store = storage();
    document.querySelectorAll("[data-clear-draft]").forEach(function (element) {
      if (store) { store.removeItem(element.getAttribute("data-clear-draft")); }
    });
    document.querySelectorAll("[data-questionnaire]").forEach(function (form) {
      keepDrafts(form, store);
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
      form.classList.add("questionnaire--enhanced");
    });
  });
}());
