/* Search terms highlighted on the page a search result leads to.
 *
 * A result link carries the query's pieces in `?hl=` (see search-worker.js). Material's
 * own highlighter matches whole terms from the start of a word, which misses 분담금
 * inside 방위비분담금 and 驻韩美军 inside a Chinese sentence; this one marks each piece
 * wherever it stands, and lets Korean and Chinese letters stand a space apart, so
 * 방위비분담금 also marks 방위비 분담금.
 */
(function () {
  "use strict"
  // The address is anyone's to write: a link may carry any `hl`. What a query of the search
  // box can give is a few short pieces; more is cut off rather than built into a pattern
  // too large for the browser (a 200,000-letter piece stopped the script with an error).
  const MAX_PIECES = 16, MAX_PIECE = 64
  const params = new URLSearchParams(location.search)
  const hl = (params.get("hl") || "").slice(0, MAX_PIECES * (MAX_PIECE + 1)).trim()
  if (!hl) return
  const article = document.querySelector("article.md-content__inner")
  if (!article) return

  const isLatin = s => /^[0-9a-z\u00c0-\u024f]+$/i.test(s)
  const pieces = [...new Set(hl.split(/\s+/).filter(Boolean))].slice(0, MAX_PIECES)
  const alt = pieces.map(p => [...p].slice(0, MAX_PIECE)
    .map(c => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(isLatin(p) ? "" : "\\s?"))
  alt.sort((a, b) => b.length - a.length)
  let re
  try {
    re = new RegExp(alt.join("|"), "giu")
  } catch (err) {            // not expected within the limits above; never an error on the page
    return
  }

  // Not the text: permalink signs, paragraph numbers, scripts, the citation box's data.
  const SKIP = "script, style, .headerlink, .pn, .cite-data, mark"
  const nodes = []
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest(SKIP)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT
  })
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n)
  for (const node of nodes) {
    const text = node.nodeValue
    re.lastIndex = 0
    if (!re.test(text)) continue
    re.lastIndex = 0
    const frag = document.createDocumentFragment()
    let last = 0
    for (const m of text.matchAll(re)) {
      frag.append(text.slice(last, m.index))
      const mark = document.createElement("mark")
      mark.setAttribute("data-md-highlight", "")
      mark.textContent = m[0]
      frag.append(mark)
      last = m.index + m[0].length
    }
    frag.append(text.slice(last))
    node.replaceWith(frag)
  }
})()
