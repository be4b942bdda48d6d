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

  // The hidden "derived" field lists the fields the NIK fills; the server re-derives those on every
  // render, so a corrected NIK never keeps an old one's sex or birth date.
  function derived(input) { return sibling(input, "derived"); }

  function setDerived(input, name, on) {
    var field = derived(input);
    if (!field) return;
    var names = field.value.split(" ").filter(function (n) { return n && n !== name; });
    if (on) names.push(name);
    field.value = names.sort().join(" ");
  }

  function isDerived(input, name) {
    var field = derived(input);
    return field && field.value.split(" ").indexOf(name) !== -1;
  }

  function show(input, message, kind) {
    var out = memberForm.querySelector(".nik-feedback[data-for='" + input.id + "']");
    if (out) { out.textContent = message; out.className = "help nik-feedback " + (kind || ""); }
  }

  function clearDerived(input) {
    ["sex", "birth_date"].forEach(function (name) {
      var field = sibling(input, name);
      if (field && isDerived(input, name)) field.value = "";
    });
  }

  function check(input) {
    var nik = input.value.replace(/[\s.\-]/g, "");
    if (!nik) { show(input, ""); clearDerived(input); return; }
    if (!/^\d*$/.test(nik)) { show(input, text.msgDigits, "hint-warn"); clearDerived(input); return; }
    if (nik.length !== 16) { show(input, nik.length + "/16", ""); clearDerived(input); return; }
    fetch(url + "?nik=" + nik, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.valid) { show(input, data.errors.join(" "), "hint-warn"); clearDerived(input); return; }
        var sex = sibling(input, "sex"), born = sibling(input, "birth_date");
        if (sex && (!sex.value || isDerived(input, "sex"))) { sex.value = data.sex; setDerived(input, "sex", true); }
        if (born && (!born.value || isDerived(input, "birth_date"))) {
          born.value = data.birth_date; setDerived(input, "birth_date", true);
        }
        var mismatch = (sex && sex.value !== data.sex) || (born && born.value !== data.birth_date);
        var label = (data.sex === "P" ? text.msgFemale : text.msgMale) + ", " + text.msgBorn + " " +
                    dateFormat.format(new Date(data.birth_date + "T00:00:00Z"));
        if (mismatch) show(input, text.msgMismatch + " " + label + ". " + text.msgCheck, "hint-warn");
        else show(input, "✓ " + text.msgValid + " " + label, "hint-ok");
        draftSoon();
      })
      .catch(function () { show(input, ""); });
  }

  memberForm.querySelectorAll("input[data-nik]").forEach(function (input) {
    input.addEventListener("input", function () { check(input); });
    // A NIK the server refused keeps only the server's message: no "✓ valid" beside it.
    if (input.value && input.getAttribute("aria-invalid") !== "true") check(input);
    ["sex", "birth_date"].forEach(function (name) {
      var field = sibling(input, name);
      // Chosen by hand: the ketua's own value from now on (and checked against the NIK on save).
      if (field) field.addEventListener("change", function (event) {
        if (event.isTrusted) setDerived(input, name, false);
      });
    });
  });

  // One card open at a time (the phone shows one row, not twenty); rows with errors stay open.
  var cards = memberForm.querySelectorAll("details.member-row");
  cards.forEach(function (card) {
    card.addEventListener("toggle", function () {
      if (!card.open) return;
      cards.forEach(function (other) {
        if (other !== card && other.open && !other.classList.contains("has-error")) other.open = false;
      });
    });
  });

  // A row's folded summary shows the name as it is typed.
  memberForm.querySelectorAll("details.member-row").forEach(function (row) {
    var name = row.querySelector("input[name$='-name']"), label = row.querySelector(".row-name");
    if (name && label) name.addEventListener("input", function () {
      label.textContent = name.value.trim() || label.dataset.empty;
    });
    var role = row.querySelector("select[name$='-role']"), roleLabel = row.querySelector(".row-role");
    if (role && roleLabel) role.addEventListener("change", function () {
      roleLabel.textContent = role.options[role.selectedIndex].text;
    });
  });

  // Draft: what is typed goes to the server a moment after typing stops, so a closed tab loses nothing.
  var draftUrl = memberForm.dataset.draftUrl, draftTimer = null;
  function saveDraft() {
    draftTimer = null;
    fetch(draftUrl, { method: "POST", body: new FormData(memberForm), credentials: "same-origin" })
      .catch(function () { /* offline: the next keystroke tries again */ });
  }
  function draftSoon() {
    if (!draftUrl) return;
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 800);
  }
  if (draftUrl) {
    memberForm.addEventListener("input", draftSoon);
    memberForm.addEventListener("change", draftSoon);
    // Leaving the page: send what is pending now (sendBeacon survives the tab closing).
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && draftTimer) {
        clearTimeout(draftTimer); draftTimer = null;
        navigator.sendBeacon(draftUrl, new FormData(memberForm));
      }
    });
    memberForm.addEventListener("submit", function () { if (draftTimer) clearTimeout(draftTimer); draftTimer = null; });
  }
})();
