/* Web push on this device (docs/architecture.md, "Web push"). On every page of a signed-in person: registers
   the service worker /sw.js. On the notification settings page (#push-device): offers to turn push on
   (subscribe with the site's VAPID key and post the subscription) or off on this device. */
"use strict";

(function () {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  var ready = navigator.serviceWorker.register("/sw.js", { scope: "/" });
  var box = document.getElementById("push-device");
  if (!box || !("PushManager" in window)) {
    return;
  }
  var onButton = document.getElementById("push-on");
  var offButton = document.getElementById("push-off");
  var status = document.getElementById("push-status");
  var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;

  function key(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error || box.dataset.failed);
        }
        return data;
      });
    });
  }

  function show(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
  }

  function fail(error) {
    status.textContent = error && error.message ? error.message : box.dataset.failed;
  }

  ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    show(Boolean(subscription));
  }).catch(function () {
    show(false);
  });

  onButton.addEventListener("click", function () {
    status.textContent = "";
    ready.then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(box.dataset.key)
      });
    }).then(function (subscription) {
      return post(box.dataset.subscribe, subscription.toJSON());
    }).then(function (data) {
      status.textContent = data.message;
      show(true);
    }).catch(fail);
  });

  offButton.addEventListener("click", function () {
    status.textContent = "";
    ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) {
        return { message: box.dataset.off };
      }
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribe, { endpoint: subscription.endpoint });
      });
    }).then(function (data) {
      status.textContent = data.message;
      show(false);
    }).catch(fail);
  });
}());
