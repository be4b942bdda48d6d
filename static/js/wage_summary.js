/* Padat Karya proposal: recompute the wage summary as people type; the server computes it too. */
(function () {
  "use strict";
  var form = document.getElementById("proposal"), total = document.getElementById("wage-total"), rest = document.getElementById("wage-rest");
  if (!form || !total || !rest) return;
  function number(name) { var el = form.elements[name]; return el ? parseInt(el.value.replace(/\D/g, ""), 10) || 0 : 0; }
  function rupiah(n) { return (n < 0 ? "-" : "") + "Rp" + Math.abs(n).toLocaleString("id-ID"); }
  function update() {
    var days = number("planned_days"), wages = 0;
    form.querySelectorAll("[data-wage]").forEach(function (el) { wages += number(el.name) * days * parseInt(el.dataset.wage, 10); });
    total.textContent = rupiah(wages);
    rest.textContent = rupiah(number("requested_amount") - wages);
  }
  form.addEventListener("input", update);
})();
