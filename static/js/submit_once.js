/* A form marked data-once disables its button when sent: a second tap on a slow connection would
   only repeat the request (the server ignores it anyway). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () { form.querySelector("button").disabled = true; });
  });
})();
