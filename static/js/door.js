/* The door list, progressively enhanced.
 *
 * Without JavaScript each Check in / Undo button is a small POST form and
 * the page reloads (post, redirect, get). With it the buttons post with
 * fetch (the CSRF token travels in the form's own data) and answer JSON:
 * the row shows its new state, the other button takes the place (and the
 * focus) of the one pressed, and the live count ("12 of 48 checked in") and
 * message are updated in regions that screen readers announce. A double tap
 * is harmless: the button is disabled while its post is on the way, and the
 * server checks a person in once however often it is asked. Where the
 * browser reads QR codes, a booking's QR code (which holds its code) can be
 * scanned with the camera instead of typing the code.
 * Loaded with `defer` from a static file: no inline script (CSP).
 */
(function () {
  "use strict";

  function setText(id, text) {
    var region = document.getElementById(id);
    if (region && region.textContent !== text) {
      region.textContent = text;
    }
  }

  function showRow(data) {
    var row = document.querySelector('[data-booking="' + data.booking + '"]');
    if (!row) {
      return;
    }
    var state = row.querySelector("[data-state]");
    if (state) {
      state.textContent = data.checked_in ? "Checked in at " + data.time : "Not checked in";
    }
    var shown = null;
    row.querySelectorAll("form.js-door").forEach(function (form) {
      var action = form.querySelector('input[name="action"]');
      var wanted = action && action.value === (data.checked_in ? "undo" : "check_in");
      form.hidden = !wanted;
      if (wanted) {
        shown = form.querySelector("button[type=submit]");
      }
    });
    if (shown) {
      shown.focus();
    }
  }

  function submitMark(event) {
    var form = event.currentTarget;
    if (!window.fetch || !window.FormData) {
      return; // the form posts as usual
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) {
      if (button.disabled) {
        return;
      }
      button.disabled = true;
    }
    // Not form.action: the form's own input named "action" would shadow it.
    fetch(form.getAttribute("action") || window.location.href, {
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
          setText("door-error", result.data.error || "That was not recorded; try again.");
          return;
        }
        setText("door-error", "");
        setText("door-message", result.data.message || "");
        setText("door-count", result.data.summary || "");
        showRow(result.data);
      })
      .catch(function () {
        setText("door-error", "No connection: that was not recorded. Try again.");
      })
      .then(function () {
        if (button) {
          button.disabled = false;
        }
      });
  }

  /* Scanning a booking's QR code (it holds the code) with the phone's camera, where the browser can
   * read QR codes (BarcodeDetector); elsewhere the button stays hidden and the code is typed. */
  function setUpScanner() {
    var start = document.getElementById("door-scan");
    var panel = document.getElementById("door-scanner");
    var video = document.getElementById("door-video");
    var stop = document.getElementById("door-scan-stop");
    var input = document.getElementById("door-q");
    if (!start || !panel || !video || !stop || !input || !("BarcodeDetector" in window)) {
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stream = null;

    function finish() {
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
        stream = null;
      }
      video.srcObject = null;
      panel.hidden = true;
      start.focus();
    }

    function look() {
      if (!stream) {
        return;
      }
      detector
        .detect(video)
        .then(function (codes) {
          if (codes.length && codes[0].rawValue) {
            input.value = codes[0].rawValue;
            finish();
            input.form.submit();
          } else {
            window.setTimeout(look, 250);
          }
        })
        .catch(function () {
          window.setTimeout(look, 250);
        });
    }

    start.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          panel.hidden = false;
          setText("door-error", "");
          return video.play();
        })
        .then(look)
        .catch(function () {
          finish();
          setText("door-error", "The camera could not be opened: type the booking code instead.");
        });
    });
    stop.addEventListener("click", finish);
  }

  document.querySelectorAll("form.js-door").forEach(function (form) {
    form.addEventListener("submit", submitMark);
  });
  setUpScanner();
})();
