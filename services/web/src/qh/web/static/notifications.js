// The bell in the header: its unread count, kept live over the notification service's
// WebSocket. The pass for the socket (a short-lived access token) is asked of this site
// with the CSRF header, held only in this closure, sent as the socket's first message
// and dropped. The socket closes when the pass expires (4401); a fresh one is asked for.
(function () {
  "use strict";

  var bell = document.getElementById("bell");
  if (!bell || !window.WebSocket || !window.fetch) {
    return;
  }
  var badge = document.getElementById("bell-count");
  var status = document.getElementById("bell-status");
  var csrf = bell.getAttribute("data-csrf") || "";
  var passUrl = bell.getAttribute("data-live") || "/notifications/live";
  var countUrl = bell.getAttribute("data-count") || "/notifications/unread";
  var unreadText = bell.getAttribute("data-unread-text") || "{count}";
  var newText = bell.getAttribute("data-new-text") || "{title}";
  var retry = 1000;
  var stopped = false;
  var count = null;

  function show(value, title) {
    count = Math.max(0, value);
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
    bell.setAttribute("data-unread", String(count));
    var words = unreadText.replace("{count}", String(count));
    badge.setAttribute("title", words);
    bell.setAttribute("aria-label", words);
    if (title && status) {
      status.textContent = newText.replace("{title}", title);
    }
  }

  function refresh() {
    return fetch(countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (body) {
        show(body.unread);
      });
  }

  function later() {
    if (stopped) {
      return;
    }
    window.setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  }

  function open(pass) {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(scheme + "//" + window.location.host + pass.socket);
    var token = pass.token;
    socket.addEventListener("open", function () {
      socket.send(JSON.stringify({ token: token }));
      token = null;
    });
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "ready") {
        retry = 1000;
        bell.setAttribute("data-live-state", "open");
        refresh().catch(function () {});
        return;
      }
      if (message.type === "notification") {
        show((count || 0) + 1, message.title || "");
      }
    });
    socket.addEventListener("close", function (event) {
      bell.setAttribute("data-live-state", "closed");
      if (event.code === 4401) {
        retry = 1000;
        window.setTimeout(connect, 0);
        return;
      }
      later();
    });
  }

  function connect() {
    if (stopped) {
      return;
    }
    fetch(passUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) {
          stopped = true; // signed out, or the page is stale: the next page starts again
          return null;
        }
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (pass) {
        if (pass) {
          open(pass);
        }
      })
      .catch(later);
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      // Back from the browser's page cache: the socket was closed meanwhile.
      stopped = false;
      connect();
    }
  });
  // Read in another tab meanwhile: count again when this one is looked at.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && count !== null) {
      refresh().catch(function () {});
    }
  });
  connect();
})();
