/* Citing a source or one paragraph of it.
 *
 * The formatted references are made at build time (citeproc-py); this script only copies
 * them, makes the edition's addresses absolute when the site was built without a
 * `site_url`, and adds a "copy citation" button to each numbered paragraph.
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

  function encodeDirective(s) {
    // In a text directive "-", "," and "&" are syntax and must be percent-encoded.
    return encodeURIComponent(s).replace(/-/g, "%2D").replace(/,/g, "%2C");
  }

  /* A W3C text fragment (":~:text=start,end") after the paragraph's id: browsers that
   * support it find the words even if an id were ever lost; others use the id. */
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

  function paragraphCitation(data, para) {
    var number = para.querySelector(".pn").textContent.trim();
    var base = absolute(data.getAttribute("data-url")).split("#")[0];
    var permalink = base + "#" + para.id + textDirective(visibleText(para));
    return data.getAttribute("data-note")
      .replace("__PARA__", number)
      .replace("https://edition.invalid/__URL__", permalink);
  }

  function init() {
    // Absolute edition addresses in the Cite box, whatever the build's site_url.
    document.querySelectorAll(".cite-box a.edition-url").forEach(function (a) {
      a.textContent = absolute(a.getAttribute("href"));
    });
    document.querySelectorAll(".cite-box .cite-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.parentElement.querySelector(".cite-text").textContent.replace(/\s+/g, " ").trim();
        copyText(text).then(function () { flash(button, "복사됨 (copied)"); });
      });
    });
    var data = document.querySelector(".cite-data");
    if (data) {
      document.querySelectorAll(".para[id]").forEach(function (para) {
        var pn = para.querySelector(".pn");
        if (!pn) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "para-cite";
        button.setAttribute("data-ed", "");
        button.title = "문단 " + pn.textContent.trim() + " 인용 복사";
        button.setAttribute("aria-label", button.title);
        button.textContent = "❝";
        button.addEventListener("click", function () {
          copyText(paragraphCitation(data, para)).then(function () { flash(button, "✓"); });
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
