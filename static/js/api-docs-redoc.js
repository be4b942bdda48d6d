// Redoc for /api/v1/redoc/ (partners/docs.py): the schema URL comes from the page, no inline script.
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  window.Redoc.init(root.getAttribute("data-schema-url"), { disableSearch: true, hideDownloadButton: false }, root);
})();
