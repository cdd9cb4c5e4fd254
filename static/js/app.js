// Branch Courier: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Keep the scan input focused so a USB scanner's keystrokes always land in it.
  document.addEventListener("DOMContentLoaded", function () {
    var scan = document.querySelector("[data-autofocus-scan]");
    if (scan) { scan.focus(); }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var scan = document.querySelector("[data-autofocus-scan]");
    if (scan) { scan.value = ""; scan.focus(); }
  });
  // Buttons that ask before a destructive POST: <button data-confirm="Cancel this package?">
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // Print buttons: <button data-print>
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
