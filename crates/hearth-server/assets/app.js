// Progressive enhancement only: every page works without this file.
// Copy buttons: <button data-copy="INPUT-ID" hidden> copies that input's value. They stay hidden
// without JavaScript, where the read-only input can be selected by hand.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input) return;
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    function done(text) {
      button.textContent = text;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { done("Copied"); },
        function () { done(document.execCommand("copy") ? "Copied" : "Press Ctrl+C"); });
    } else {
      done(document.execCommand("copy") ? "Copied" : "Press Ctrl+C");
    }
  });
});
