// Progressive enhancement for the door and the live board. Without it, everything still works:
// the code is typed, the board has a refresh link.
(function () {
  "use strict";

  // --- Check-in: read the QR code with the camera where the browser can (BarcodeDetector). ---
  function setUpScanner(form) {
    var scanButton = form.querySelector("[data-scan]");
    var panel = form.querySelector("[data-scanner]");
    var video = form.querySelector("[data-scanner-video]");
    var status = form.querySelector("[data-scanner-status]");
    var stopButton = form.querySelector("[data-scan-stop]");
    var input = form.querySelector("input[name=code]");
    if (!scanButton || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    var stream = null;
    var running = false;

    function stop() {
      running = false;
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      panel.hidden = true;
      scanButton.hidden = false;
    }

    function scanLoop(detector) {
      if (!running) return;
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          input.value = codes[0].rawValue;
          stop();
          form.submit();
          return;
        }
        window.setTimeout(function () { scanLoop(detector); }, 250);
      }).catch(function () { window.setTimeout(function () { scanLoop(detector); }, 500); });
    }

    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) return;
      scanButton.hidden = false;
      scanButton.addEventListener("click", function () {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
          .then(function (media) {
            stream = media;
            video.srcObject = media;
            panel.hidden = false;
            scanButton.hidden = true;
            status.textContent = form.dataset.scanHint || "";
            return video.play();
          })
          .then(function () { running = true; scanLoop(detector); })
          .catch(function () {
            stop();
            input.focus();
          });
      });
      stopButton.addEventListener("click", function () { stop(); input.focus(); });
    }).catch(function () {});
  }

  // --- Live board: keep the focus where it is, and announce new messages politely. ---
  function setUpBoard() {
    var announce = document.getElementById("board-announce");
    if (!announce) return;
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var list = document.getElementById("board-posts");
      var polling = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
      // Do not pull the list from under someone who is using it (a vote button has the focus).
      if (polling && list && list.contains(document.activeElement)) event.detail.shouldSwap = false;
    });
    var before = null;
    document.body.addEventListener("htmx:beforeRequest", function () {
      var list = document.getElementById("board-posts");
      before = list ? parseInt(list.dataset.count || "0", 10) : null;
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      var list = document.getElementById("board-posts");
      if (!list || before === null) return;
      var now = parseInt(list.dataset.count || "0", 10);
      if (now > before) {
        var template = now - before === 1 ? announce.dataset.one : announce.dataset.many;
        announce.textContent = (template || "").replace("{count}", String(now - before));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-checkin]").forEach(setUpScanner);
    setUpBoard();
  });
})();
