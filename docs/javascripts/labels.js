/* Names for Material's own widgets that it leaves unnamed: the search box's dialog (a
 * dialog needs a name for screen readers; axe-core's aria-dialog-name). Korean, like the UI. */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (el) {
      el.setAttribute("aria-label", "검색");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
