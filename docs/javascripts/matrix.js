/* The authors × issues matrix (issues/index.md): a filter by author and by year above it,
 * so it still reads with hundreds of sources. The rows come grouped by year, one <tbody>
 * each (data-year) under a heading row; each source's row carries its authors
 * (data-authors), both written by build_scripts/apparatus/issue_pages.py. A year with no
 * row left is hidden whole, and each year's heading counts the rows it shows.
 * Without script the whole matrix shows, by year and in date order. */
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
      var groups = [], rows = [];
      box.querySelectorAll("tbody[data-year]").forEach(function (tbody) {
        var group = { tbody: tbody, year: tbody.dataset.year, rows: [],
                      count: tbody.querySelector(".matrix-year-count") };
        tbody.querySelectorAll("tr[data-authors]").forEach(function (tr) {
          var row = { tr: tr, group: group, authors: tr.dataset.authors.split("|") };
          group.rows.push(row);
          rows.push(row);
        });
        groups.push(group);
      });
      if (!rows.length || box.querySelector(".matrix-filter")) return;
      var people = [];
      rows.forEach(function (r) {
        r.authors.forEach(function (a) { if (people.indexOf(a) < 0) people.push(a); });
      });
      people.sort(function (a, b) { return a.localeCompare(b, "ko"); });
      var bar = document.createElement("div");
      bar.className = "matrix-filter";
      bar.setAttribute("data-ed", "");
      var byAuthor = document.createElement("select");
      option(byAuthor, "", "모든 저자");
      people.forEach(function (a) { option(byAuthor, a, a); });
      var byYear = document.createElement("select");
      option(byYear, "", "모든 연도");
      groups.map(function (g) { return g.year; }).sort().reverse()
        .forEach(function (y) { option(byYear, y, y + "년"); });
      var count = document.createElement("span");
      count.className = "matrix-count";
      count.setAttribute("role", "status");
      bar.appendChild(labelled("저자", byAuthor));
      bar.appendChild(labelled("연도", byYear));
      bar.appendChild(count);
      box.insertBefore(bar, box.firstChild);

      function apply() {
        var shown = 0;
        groups.forEach(function (g) {
          var inGroup = 0;
          g.rows.forEach(function (r) {
            var ok = (!byYear.value || g.year === byYear.value) &&
                     (!byAuthor.value || r.authors.indexOf(byAuthor.value) >= 0);
            r.tr.hidden = !ok;
            if (ok) inGroup += 1;
          });
          g.tbody.hidden = !inGroup;
          if (g.count) g.count.textContent = "원문 " + inGroup + "편";
          shown += inGroup;
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
