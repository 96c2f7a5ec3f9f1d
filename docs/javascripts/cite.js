/* Citing a source or one paragraph of it, or an issue page.
 *
 * The formatted references are made at build time (citeproc-py), one per style; this
 * script offers the choice of style and remembers it, copies them, fills in what only the
 * browser knows (the page's absolute address without a `site_url`, the paragraph's number
 * and permalink, today's date), and adds a "copy citation" button to each numbered paragraph.
 */
(function () {
  "use strict";

  function absolute(href) {
    return new URL(href, document.baseURI).href;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on a non-local host has no Clipboard API: the older way still works.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  function flash(button, label) {
    var old = button.getAttribute("data-label") || button.innerHTML;
    button.setAttribute("data-label", old);
    button.innerHTML = label;
    button.classList.add("copied");
    setTimeout(function () {
      button.innerHTML = old;
      button.classList.remove("copied");
    }, 1600);
  }

  /* The words a reader sees in a paragraph: without the editors' number, buttons and
   * backlinks, but with footnote numbers, which are on the page too. */
  function visibleText(para) {
    var clone = para.cloneNode(true);
    clone.querySelectorAll(".pn, .para-cite, [data-ed]").forEach(function (el) { el.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  /* In a text directive "-", ",", "&" and "%" are syntax, and a space ends an address in
   * running text: only these are percent-encoded. Hangul and Han stay as written, as a
   * browser's address bar shows them. */
  function encodeDirective(s) {
    return s.replace(/[-,&%#\s]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
    });
  }

  /* A W3C text fragment (":~:text=start,end") after the paragraph's id: browsers that
   * support it find the words even if an id were ever lost; others use the id. Offered,
   * not the default: the short permalink is what a citation needs. */
  function textDirective(text) {
    var words = text.split(" ");
    var start, end;
    if (words.length >= 10) {
      start = words.slice(0, 4).join(" ");
      end = words.slice(-3).join(" ");
    } else {
      // Chinese runs without spaces, and a match must begin and end on word boundaries:
      // cut at punctuation, which always is one.
      var parts = text.split(/(?<=[，。、；：！？）」』”,.;:!?)])/);
      if (parts.length < 3) return ":~:text=" + encodeDirective(text);
      start = parts[0];
      end = parts[parts.length - 1];
    }
    return ":~:text=" + encodeDirective(start) + "," + encodeDirective(end);
  }

  // The reader's choices, kept across pages (and visits) on this site.
  var STYLE_KEY = "edition.citeStyle";
  var FRAGMENT_KEY = "edition.citeTextFragment";

  function stored(key) {
    try {
      return localStorage.getItem(key);
    } catch (err) {
      return null;  // storage off (private mode, file://): the default each time
    }
  }

  function store(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (err) { /* as above */ }
  }

  function chosenEntry(box) {
    var entries = box.querySelectorAll(".cite-entry");
    var want = stored(STYLE_KEY);
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].getAttribute("data-style") === want) return entries[i];
    }
    return entries[0];
  }

  /* Today as the Korean style writes an access date (2026년 1월 5일), or with form "iso"
   * as GB/T 7714 does (2026-01-05). */
  function today(form) {
    var d = new Date();
    if (form === "iso") {
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    }
    return d.getFullYear() + "년 " + (d.getMonth() + 1) + "월 " + d.getDate() + "일";
  }

  function pageAddress(data) {
    return absolute(data.getAttribute("data-url")).split("#")[0];
  }

  function paragraphCitation(box, data, para) {
    var number = para.querySelector(".pn").textContent.trim();
    var base = pageAddress(data);
    var permalink = base + "#" + para.id;
    if (stored(FRAGMENT_KEY) === "1") permalink += textDirective(visibleText(para));
    return chosenEntry(box).getAttribute("data-para")
      .split("__PARA__").join(number)
      .split("__PERMALINK__").join(permalink)
      .split("__EDITION__").join(base)
      .split("__ACCESSED__").join(today())
      .split("__ACCESSED_ISO__").join(today("iso"));
  }

  /* The style chooser: one radio button per style, the choice shown and remembered. Without
   * the script every style is shown and there is nothing to choose. */
  function styleChooser(box) {
    var entries = box.querySelectorAll(".cite-entry");
    var set = document.createElement("fieldset");
    set.className = "cite-styles";
    set.setAttribute("data-ed", "");
    var legend = document.createElement("legend");
    legend.textContent = "인용 양식";
    set.appendChild(legend);
    entries.forEach(function (entry) {
      var key = entry.getAttribute("data-style");
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "cite-style";
      input.value = key;
      input.addEventListener("change", function () {
        store(STYLE_KEY, key);
        showChosen(box);
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + entry.querySelector(".cite-label").textContent));
      set.appendChild(label);
    });
    entries[0].insertAdjacentElement("beforebegin", set);
    showChosen(box);
    // The text-fragment option is for the paragraphs' ❝ copies: only where there are any.
    var hint = box.querySelector(".cite-hint");
    if (!hint) return;
    var fragment = document.createElement("label");
    fragment.className = "cite-fragment";
    var box2 = document.createElement("input");
    box2.type = "checkbox";
    box2.checked = stored(FRAGMENT_KEY) === "1";
    box2.addEventListener("change", function () { store(FRAGMENT_KEY, box2.checked ? "1" : "0"); });
    fragment.appendChild(box2);
    fragment.appendChild(document.createTextNode(
      " ❝로 복사하는 문단 주소에 본문 첫 구절과 끝 구절을 덧붙인다 (텍스트 조각 링크: 지원하는 브라우저는 그 구절을 찾아 강조한다)"));
    hint.insertAdjacentElement("afterend", fragment);
  }

  function showChosen(box) {
    var chosen = chosenEntry(box);
    box.querySelectorAll(".cite-entry").forEach(function (entry) {
      entry.hidden = entry !== chosen;
    });
    box.querySelectorAll(".cite-styles input").forEach(function (input) {
      input.checked = input.value === chosen.getAttribute("data-style");
    });
  }

  function init() {
    // Absolute edition addresses in the Cite box, whatever the build's site_url.
    document.querySelectorAll(".cite-box a.edition-url").forEach(function (a) {
      a.textContent = absolute(a.getAttribute("href"));
    });
    document.querySelectorAll(".cite-box .cite-today").forEach(function (span) {
      span.textContent = today(span.getAttribute("data-form"));
    });
    document.querySelectorAll(".cite-box .cite-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.parentElement.querySelector(".cite-text").textContent.replace(/\s+/g, " ").trim();
        copyText(text).then(function () { flash(button, "복사됨 (copied)"); });
      });
    });
    var box = document.querySelector(".cite-box");
    var data = document.querySelector(".cite-data");
    if (box && data) {
      styleChooser(box);
      document.querySelectorAll(".para[id]").forEach(function (para) {
        var pn = para.querySelector(".pn");
        if (!pn) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "para-cite";
        button.setAttribute("data-ed", "");
        button.title = "문단 " + pn.textContent.trim() + " 인용 복사 (고른 인용 양식으로)";
        button.setAttribute("aria-label", button.title);
        button.textContent = "❝";
        button.addEventListener("click", function () {
          copyText(paragraphCitation(box, data, para)).then(function () { flash(button, "✓"); });
        });
        pn.insertAdjacentElement("afterend", button);
      });
    }
    landOnTarget();
  }

  /* A permalink must never leave the reader at the top of the page. A browser without
   * text fragments keeps ":~:..." in the hash and finds no element; one whose text
   * directive matched nothing (the text changed) scrolls nowhere. Either way: go to the id,
   * and mark the paragraph as :target would. */
  function landOnTarget() {
    var hash = decodedHash().slice(1).split(":~:")[0];
    var target = hash && document.getElementById(hash);
    if (!target) return;
    setTimeout(function () {
      var para = target.classList.contains("anchor-alias") ? target.parentElement : target;
      var box = para.getBoundingClientRect();
      if (box.bottom < 0 || box.top > window.innerHeight) target.scrollIntoView();
      if (!target.matches(":target")) para.classList.add("is-target");
    }, 150);
  }

  /* The address's fragment, decoded. Anyone can write a link: one that is not valid
   * percent-encoding ("#%") is taken as written instead of stopping the script. */
  function decodedHash() {
    var hash = location.hash || "";
    try {
      return decodeURIComponent(hash);
    } catch (err) {
      return hash;
    }
  }

  window.addEventListener("hashchange", function () {
    document.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
