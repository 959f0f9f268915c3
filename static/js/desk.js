/* The check-in desk and the badge page, progressively enhanced.
 *
 * The live count (registered, present, entitled and present) is drawn by the
 * server on every desk page, so it works without JavaScript. With it, the
 * count is refreshed from the JSON at the region's data-counts-url every few
 * seconds while the page is visible, and the numbers are changed in place in
 * a polite live region (only when they change, so a screen reader is not
 * told the same thing again). On the badge page a Print button appears.
 * Loaded with `defer` from a static file: no inline script (CSP).
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

  function refresh(region) {
    if (document.hidden || !window.fetch) {
      return;
    }
    fetch(region.getAttribute("data-counts-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        region.querySelectorAll("[data-count]").forEach(function (node) {
          var value = data[node.getAttribute("data-count")];
          if (value !== undefined && node.textContent !== String(value)) {
            node.textContent = String(value);
          }
        });
      })
      .catch(function () {
        /* Offline for a moment: the count stays as it was until the next poll. */
      });
  }

  var region = document.getElementById("desk-counts");
  if (region && region.getAttribute("data-counts-url")) {
    window.setInterval(function () {
      refresh(region);
    }, POLL_MS);
    document.addEventListener("visibilitychange", function () {
      refresh(region);
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
