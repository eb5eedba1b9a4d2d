// Check-in by QR code with the camera (templates/events/checkin.html).
//
// Uses the browser's own BarcodeDetector with getUserMedia: no QR-decoding library is vendored.
// Where either is missing (most desktop browsers, Firefox, Safari on older iOS) or the camera is
// refused, the scanner stays hidden and the page works as without JavaScript: the code is typed
// into the form below it, or the person is found in the list. A code that is read is put into
// that same form and submitted, so the server does the check-in exactly as for a typed code.
(function () {
  "use strict";

  var PAUSE_AFTER_READ_MS = 2500;
  var SAME_CODE_IGNORED_MS = 8000;

  function supported() {
    return (
      "BarcodeDetector" in window &&
      navigator.mediaDevices &&
      typeof navigator.mediaDevices.getUserMedia === "function"
    );
  }

  function start(scanner) {
    var form = document.getElementById("checkin-code-form");
    var input = form && form.querySelector("input[name=code]");
    var toggle = scanner.querySelector("[data-scan-toggle]");
    var video = scanner.querySelector("[data-scan-video]");
    var status = scanner.querySelector("[data-scan-status]");
    if (!form || !input || !toggle || !video || !status) return;

    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stream = null;
    var timer = null;
    var lastCode = "";
    var lastAt = 0;

    function say(key) {
      status.textContent = scanner.getAttribute("data-label-" + key) || "";
    }

    function stop() {
      window.clearTimeout(timer);
      timer = null;
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
      }
      stream = null;
      video.hidden = true;
      video.srcObject = null;
      toggle.textContent = scanner.getAttribute("data-label-start");
      status.textContent = "";
    }

    function submit(code) {
      input.value = code;
      say("read");
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function scan() {
      if (!stream) return;
      detector
        .detect(video)
        .then(function (codes) {
          var now = Date.now();
          var value = codes.length ? codes[0].rawValue : "";
          if (value && !(value === lastCode && now - lastAt < SAME_CODE_IGNORED_MS)) {
            lastCode = value;
            lastAt = now;
            submit(value);
            timer = window.setTimeout(function () {
              say("scanning");
              scan();
            }, PAUSE_AFTER_READ_MS);
            return;
          }
          timer = window.setTimeout(scan, 250);
        })
        .catch(function () {
          timer = window.setTimeout(scan, 500);
        });
    }

    toggle.addEventListener("click", function () {
      if (stream) {
        stop();
        return;
      }
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          toggle.textContent = scanner.getAttribute("data-label-stop");
          say("scanning");
          return video.play().then(scan);
        })
        .catch(function () {
          stop();
          say("denied");
          input.focus();
        });
    });

    window.addEventListener("pagehide", stop);
    scanner.hidden = false;
  }

  function init() {
    var scanner = document.getElementById("checkin-scanner");
    if (!scanner || !supported()) return;
    var formats = window.BarcodeDetector.getSupportedFormats;
    if (typeof formats !== "function") {
      start(scanner);
      return;
    }
    formats
      .call(window.BarcodeDetector)
      .then(function (list) {
        if (list.indexOf("qr_code") !== -1) start(scanner);
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", init);
})();
