/* Attendance on the day, progressively enhanced.
 *
 * Without JavaScript each present/absent button is a small POST form and the
 * page reloads (post, redirect, get). With it:
 *  - the buttons post with fetch (the CSRF token travels in the form's own
 *    data) and the row, the counts and the live status region update in place;
 *  - the quorum region polls its JSON endpoint every ten seconds, so a page
 *    open on another device shows whether the meeting is quorate.
 * Loaded with `defer` from a static file: no inline script (CSP).
 */
(function () {
  "use strict";

  var POLL_MS = 10000;

  function statusRegion() {
    return document.getElementById("quorum-status");
  }

  function showQuorum(state) {
    var region = statusRegion();
    if (!region || !state || typeof state.summary !== "string") {
      return;
    }
    var summary = region.querySelector("[data-quorum-summary]") || region;
    if (summary.textContent !== state.summary) {
      summary.textContent = state.summary;
    }
    region.classList.toggle("alert-success", Boolean(state.quorate));
    region.classList.toggle("alert-warning", !state.quorate);
  }

  function showError(message) {
    var region = statusRegion();
    if (!region) {
      return;
    }
    var error = region.querySelector("[data-quorum-error]");
    if (!error) {
      error = document.createElement("span");
      error.setAttribute("data-quorum-error", "");
      error.className = "d-block fw-semibold";
      region.appendChild(error);
    }
    error.textContent = message || "";
  }

  function markRow(memberId, present) {
    var row = document.querySelector('[data-member="' + memberId + '"]');
    if (!row) {
      return;
    }
    var mark = row.querySelector("[data-mark]");
    if (mark) {
      mark.textContent = present ? "Present" : "Absent";
    }
    row.querySelectorAll("button[data-choice]").forEach(function (button) {
      var isPresent = button.getAttribute("data-choice") === "present";
      var chosen = isPresent === present;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("btn-success", isPresent && chosen);
      button.classList.toggle("btn-outline-success", isPresent && !chosen);
      button.classList.toggle("btn-secondary", !isPresent && chosen);
      button.classList.toggle("btn-outline-secondary", !isPresent && !chosen);
    });
  }

  function submitToggle(event) {
    var form = event.currentTarget;
    if (!window.fetch || !window.FormData) {
      return; // the form posts as usual
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          showError(result.data.error || "That was not recorded; try again.");
          return;
        }
        showError("");
        markRow(result.data.member, result.data.marked);
        showQuorum(result.data);
      })
      .catch(function () {
        showError("No connection: that was not recorded. Try again.");
      })
      .then(function () {
        if (button) {
          button.disabled = false;
        }
      });
  }

  function poll(region) {
    var url = region.getAttribute("data-quorum-url");
    if (!url || !window.fetch) {
      return;
    }
    window.setInterval(function () {
      if (document.hidden) {
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(showQuorum)
        .catch(function () {
          /* offline for a moment: the next poll tries again */
        });
    }, POLL_MS);
  }

  document.querySelectorAll("form.js-attendance").forEach(function (form) {
    form.addEventListener("submit", submitToggle);
  });
  var region = statusRegion();
  if (region && region.getAttribute("data-live") === "true") {
    poll(region);
  }
})();
