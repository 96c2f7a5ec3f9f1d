/* The authors × issues matrix (issues/index.md): a filter by author and by year above it,
 * so it still reads with hundreds of sources. Each row's first cell carries its year and
 * authors (data-year, data-authors, written by build_scripts/apparatus/issue_pages.py).
 * Without script the whole matrix shows, in date order. */
(function () {
  "use strict";

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function labelled(text, select) {
    var label = document.createElement("label");
    label.textContent = text + " ";
    label.appendChild(select);
    return label;
  }

  function init() {
    document.querySelectorAll(".matrix").forEach(function (box) {
      var rows = [];
      box.querySelectorAll("tbody tr").forEach(function (tr) {
        var data = tr.querySelector(".matrix-row");
        if (data) rows.push({ tr: tr, year: data.dataset.year, authors: data.dataset.authors.split("|") });
      });
      if (!rows.length || box.querySelector(".matrix-filter")) return;
      var years = [], people = [];
      rows.forEach(function (r) {
        if (years.indexOf(r.year) < 0) years.push(r.year);
        r.authors.forEach(function (a) { if (people.indexOf(a) < 0) people.push(a); });
      });
      years.sort().reverse();
      people.sort(function (a, b) { return a.localeCompare(b, "ko"); });
      var bar = document.createElement("div");
      bar.className = "matrix-filter";
      bar.setAttribute("data-ed", "");
      var byAuthor = document.createElement("select");
      option(byAuthor, "", "모든 저자");
      people.forEach(function (a) { option(byAuthor, a, a); });
      var byYear = document.createElement("select");
      option(byYear, "", "모든 연도");
      years.forEach(function (y) { option(byYear, y, y + "년"); });
      var count = document.createElement("span");
      count.className = "matrix-count";
      count.setAttribute("role", "status");
      bar.appendChild(labelled("저자", byAuthor));
      bar.appendChild(labelled("연도", byYear));
      bar.appendChild(count);
      box.insertBefore(bar, box.firstChild);

      function apply() {
        var shown = 0;
        rows.forEach(function (r) {
          var ok = (!byYear.value || r.year === byYear.value) &&
                   (!byAuthor.value || r.authors.indexOf(byAuthor.value) >= 0);
          r.tr.hidden = !ok;
          if (ok) shown += 1;
        });
        count.textContent = "원문 " + rows.length + "편 가운데 " + shown + "편";
      }
      byAuthor.addEventListener("change", apply);
      byYear.addEventListener("change", apply);
      apply();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
