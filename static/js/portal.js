// Opens the filter panels from the md breakpoint up in browsers that cannot style
// ::details-content (static/css/portal.css shows them there without JavaScript).
(function () {
  "use strict";
  function openPanels() {
    if (CSS.supports("selector(::details-content)")) return;
    if (!window.matchMedia("(min-width: 768px)").matches) return;
    document.querySelectorAll("details.filter-panel:not([open])").forEach(function (panel) {
      panel.open = true;
    });
  }
  document.addEventListener("DOMContentLoaded", openPanels);
})();
