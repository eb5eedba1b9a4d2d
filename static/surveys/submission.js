// Progressive enhancement of the submission pages (everything works without it):
// a print button on the summary, and character counters under the limited fields of the editor.
(function () {
  "use strict";

  function addCounters(root) {
    root.querySelectorAll(".submission-form [maxlength]").forEach(function (field) {
      if (field.type === "hidden" || field.dataset.counted) {
        return;
      }
      field.dataset.counted = "1";
      var counter = document.createElement("div");
      counter.className = "form-text text-end";
      counter.setAttribute("aria-hidden", "true");
      var update = function () {
        counter.textContent = field.value.length + " / " + field.getAttribute("maxlength");
      };
      field.addEventListener("input", update);
      field.insertAdjacentElement("afterend", counter);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
    addCounters(document);
  });
  // htmx swaps in a fresh editor after each save or move.
  // Already counted fields are skipped, so scanning the whole page is enough.
  document.addEventListener("htmx:afterSettle", function () {
    addCounters(document);
  });
})();
