/* JPS Portal: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Province → regency: refresh the regency list without a page reload.
  var profile = document.querySelector("form[data-regency-url]");
  if (profile) {
    var province = profile.querySelector("select[name$='province']");
    var regency = profile.querySelector("select[name$='regency']");
    province.addEventListener("change", function () {
      fetch(profile.dataset.regencyUrl + "?province=" + encodeURIComponent(province.value))
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var first = regency.options[0];
          regency.innerHTML = "";
          regency.appendChild(first);
          data.regencies.forEach(function (item) {
            regency.appendChild(new Option(item.name, item.code));
          });
        });
    });
  }

  // NIK: checked as it is typed, by the server's own rules; sex and birth date filled from it.
  var memberForm = document.querySelector("form[data-nik-url]");
  if (!memberForm) return;
  var url = memberForm.dataset.nikUrl;
  var text = memberForm.dataset;  // messages translated by the template (groups/_nik_messages.html)
  var dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || "id",
                                           { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

  function sibling(input, name) {
    return memberForm.querySelector("[name='" + input.name.replace(/nik$/, name) + "']");
  }

  function show(input, message, kind) {
    var out = memberForm.querySelector(".nik-feedback[data-for='" + input.id + "']");
    if (out) { out.textContent = message; out.className = "help nik-feedback " + (kind || ""); }
  }

  function check(input) {
    var nik = input.value.replace(/[\s.\-]/g, "");
    if (!nik) { show(input, ""); return; }
    if (!/^\d*$/.test(nik)) { show(input, text.msgDigits, "hint-warn"); return; }
    if (nik.length !== 16) { show(input, nik.length + "/16", ""); return; }
    fetch(url + "?nik=" + nik, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.valid) { show(input, data.errors.join(" "), "hint-warn"); return; }
        var sex = sibling(input, "sex"), born = sibling(input, "birth_date");
        var mismatch = (sex && sex.value && sex.value !== data.sex) ||
                       (born && born.value && born.value !== data.birth_date);
        if (sex && (!sex.value || sex.dataset.auto)) { sex.value = data.sex; sex.dataset.auto = "1"; }
        if (born && (!born.value || born.dataset.auto)) { born.value = data.birth_date; born.dataset.auto = "1"; }
        var label = (data.sex === "P" ? text.msgFemale : text.msgMale) + ", " + text.msgBorn + " " +
                    dateFormat.format(new Date(data.birth_date + "T00:00:00Z"));
        if (mismatch) show(input, text.msgMismatch + " " + label + ". " + text.msgCheck, "hint-warn");
        else show(input, "✓ " + text.msgValid + " " + label, "hint-ok");
      })
      .catch(function () { show(input, ""); });
  }

  memberForm.querySelectorAll("input[data-nik]").forEach(function (input) {
    input.addEventListener("input", function () { check(input); });
    if (input.value) check(input);
  });
})();
