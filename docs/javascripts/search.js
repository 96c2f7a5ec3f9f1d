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
  const params = new URLSearchParams(location.search)
  const hl = (params.get("hl") || "").trim()
  if (!hl) return
  const article = document.querySelector("article.md-content__inner")
  if (!article) return

  const isLatin = s => /^[0-9a-z\u00c0-\u024f]+$/i.test(s)
  const alt = hl.split(/\s+/).filter(Boolean).map(p => [...p]
    .map(c => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(isLatin(p) ? "" : "\\s?"))
  alt.sort((a, b) => b.length - a.length)
  const re = new RegExp(alt.join("|"), "giu")

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
