{% load static %}/* Concerto's service worker (served at /sw.js, scope "/"): shows the web push notifications the
   site sends (JSON: title, body, url) and opens their page when tapped. It caches nothing. */
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "Concerto", {
    body: data.body || "",
    icon: "{% static 'concerto/favicon.svg' %}",
    data: { url: data.url || "/compte/notifications/" },
    lang: "fr"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === url && "focus" in windows[i]) {
        return windows[i].focus();
      }
    }
    return self.clients.openWindow(url);
  }));
});
