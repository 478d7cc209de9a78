// A button with data-confirm="…" asks before its form is sent. Here rather than in an onclick
// attribute, which the Content-Security-Policy (script-src 'self') blocks.
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest && event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});
