// Starts Pagefind's search interface on the search page. Pagefind's files are
// written by the build next to the site (pagefind/), so nothing is fetched
// from anywhere else.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") {
    return;
  }
  new PagefindUI({
    element: "#search",
    bundlePath: element.dataset.bundle,
    showImages: false,
    showSubResults: true,
    resetStyles: false
  });
  // Pagefind's input carries only a title; give it an accessible name.
  var label = element.dataset.label;
  (function name() {
    var input = element.querySelector("input");
    if (input) {
      input.setAttribute("aria-label", label);
    } else {
      window.requestAnimationFrame(name);
    }
  })();
});
