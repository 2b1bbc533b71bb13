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
});
