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
  var months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                "September", "Oktober", "November", "Desember"];

  function sibling(input, name) {
    return memberForm.querySelector("[name='" + input.name.replace(/nik$/, name) + "']");
  }

  function show(input, text, kind) {
    var out = memberForm.querySelector(".nik-feedback[data-for='" + input.id + "']");
    if (out) { out.textContent = text; out.className = "help nik-feedback " + (kind || ""); }
  }

  function check(input) {
    var nik = input.value.replace(/[\s.\-]/g, "");
    if (!nik) { show(input, ""); return; }
    if (!/^\d*$/.test(nik)) { show(input, "NIK hanya berisi angka.", "hint-warn"); return; }
    if (nik.length !== 16) { show(input, nik.length + "/16 angka", ""); return; }
    fetch(url + "?nik=" + nik, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.valid) { show(input, data.errors.join(" "), "hint-warn"); return; }
        var sex = sibling(input, "sex"), born = sibling(input, "birth_date");
        var parts = data.birth_date.split("-");
        var mismatch = (sex && sex.value && sex.value !== data.sex) ||
                       (born && born.value && born.value !== data.birth_date);
        if (sex && (!sex.value || sex.dataset.auto)) { sex.value = data.sex; sex.dataset.auto = "1"; }
        if (born && (!born.value || born.dataset.auto)) { born.value = data.birth_date; born.dataset.auto = "1"; }
        var label = (data.sex === "P" ? "Perempuan" : "Laki-laki") + ", lahir " +
                    parseInt(parts[2], 10) + " " + months[parseInt(parts[1], 10) - 1] + " " + parts[0];
        if (mismatch) show(input, "NIK menunjukkan: " + label + ". Periksa data yang diisi.", "hint-warn");
        else show(input, "✓ NIK valid: " + label, "hint-ok");
      })
      .catch(function () { show(input, ""); });
  }

  memberForm.querySelectorAll("input[data-nik]").forEach(function (input) {
    input.addEventListener("input", function () { check(input); });
    if (input.value) check(input);
  });
})();
