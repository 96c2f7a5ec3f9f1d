/* Search worker behind Material's header search box.
 *
 * Material talks to its search worker with four messages (SETUP, READY, QUERY, RESULT;
 * integrations/search/worker/message in Material's source) and lets a site supply its own
 * worker. This one reads the split index written by build_scripts/search/index.py: it
 * fetches only the shards for what the reader typed and the text blocks of the results it
 * shows, never the whole index.
 *
 * The terms in the index come from Kiwi (Korean morphemes and compounds) and jieba
 * (Chinese words and phrases). A query is matched against that vocabulary: each run of
 * Hangul or Han characters is split into the longest pieces the index knows, so
 * 방위비분담금 is one term, 한미동맹이 is 한미동맹 plus a particle that is let go, and
 * 驻韩美军的地位 is the phrases jieba found. A piece finds every term it begins
 * (동맹 finds 동맹국), and a whole word counts more than a word it begins.
 *
 * Postings are split by page range (`conf.ranges`): the first range comes with the shard
 * that holds a term's vocabulary entry, and its results are shown at once; the ranges a
 * term also occurs in are fetched next, and the results are sent again as each arrives.
 * So the first results cost the same at 200 sources as at 10,000.
 */
"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
const SHOWN_PAGES = 10      // pages whose excerpts are fetched (Material renders ten first)
const SHOWN_UNITS = 3       // paragraphs shown under each of those pages
const PREFIX_WEIGHT = 0.6   // a term the piece only begins, against the piece itself
// A query is what a reader types; a pasted book is cut to its start, and a piece is looked
// up at most this long (as a prefix it still finds any longer term it begins), so the work
// per query is bounded: the lookup of the longest known piece was quadratic in a word's length.
const MAX_QUERY = 200
const MAX_PIECE = 32

let conf = null             // {v, nb, block, units, pages}: from the stub search_index.json
let base = null
const cache = new Map()     // path -> Promise of parsed JSON

function fetchJSON(path) {
  if (!cache.has(path))
    cache.set(path, fetch(new URL(path, base)).then(r => {
      if (!r.ok) throw Object.assign(new Error(`${path}: HTTP ${r.status}`), { status: r.status })
      return r.json()
    }).catch(err => {
      cache.delete(path)             // a failed fetch is tried again with the next query
      throw err
    }))
  return cache.get(path)
}

const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key)

/* --- the same hashing and normalisation as build_scripts/search/index.py ----------- */

function fnv1a(s) {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

const normalize = s => s.normalize("NFKC").toLowerCase()
// Hangul, Han and Latin-word characters: the ranges of build_scripts/cleaning/chardata.py,
// sent in the search config (`chars`), never copied here. Set by setCharacters() on setup.
let CHUNK, isHangul, isLatin, isHan
function setCharacters(chars) {
  const cls = ranges => "[" + ranges.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join("") + "]"
  CHUNK = new RegExp(`${cls(chars.hangul)}+|${cls(chars.han)}+|${cls(chars.latin)}+`, "gu")
  const syllable = new RegExp(cls(chars.syllables), "u"), han = new RegExp(cls(chars.han), "u")
  const latin = new RegExp(`^${cls(chars.latin)}+$`, "u")
  isHangul = s => syllable.test(s)
  isLatin = s => latin.test(s)
  isHan = s => han.test(s)
}

/* A shard: its terms sorted, for prefix search. Each term's entry is [units it occurs in,
   mask of the page ranges it occurs in, postings (page, unit, value) of the first range]. */
async function shard(key) {
  const path = `t/${fnv1a(key) % conf.nb}.json`
  if (!cache.has(path + "#sorted"))
    // No file: no term of the index falls in this shard (empty shards are not written).
    cache.set(path + "#sorted", fetchJSON(path)
      .catch(err => { if (err.status === 404) return {}; cache.delete(path + "#sorted"); throw err })
      .then(obj => ({ obj, keys: Object.keys(obj).sort() })))
  return cache.get(path + "#sorted")
}

function lowerBound(keys, s) {
  let lo = 0, hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < s) lo = mid + 1
    else hi = mid
  }
  return lo
}

/* Terms of the index that begin with `piece`. Only `piece` itself if it is one character,
   or a Latin word of up to three letters: SMA should not find "small". */
async function termsFor(piece) {
  const { obj, keys } = await shard(piece.slice(0, 2))
  if (piece.length < 2 || (isLatin(piece) && piece.length <= 3))
    return has(obj, piece) ? [piece] : []
  const out = []
  for (let i = lowerBound(keys, piece); i < keys.length && keys[i].startsWith(piece); i++)
    out.push(keys[i])
  return out
}

/* A later page range's postings for the terms of one shard ({} where none occur there). */
function rangeShard(r, key) {
  const path = `t/${r}/${fnv1a(key) % conf.nb}.json`
  return fetchJSON(path).catch(err => { if (err.status === 404) return {}; throw err })
}

async function exact(term) {
  const { obj } = await shard(term.slice(0, 2))
  return has(obj, term)
}

async function known(piece) {
  const { obj, keys } = await shard(piece.slice(0, 2))
  if (piece.length < 2)
    return has(obj, piece)
  const i = lowerBound(keys, piece)
  return i < keys.length && keys[i].startsWith(piece)
}

/* The query -> pieces to look up. A piece is a list of forms: {text, exact}; the first
   is what was typed, and a Korean word typed with a particle also stands for the word. */
async function pieces(query) {
  const out = []
  for (const chunk of normalize(query).match(CHUNK) || []) {
    if (isLatin(chunk)) {
      if (chunk.length > 1 || /\d/.test(chunk)) out.push([{ text: chunk }])
      continue
    }
    // Longest pieces the vocabulary knows, left to right. A Korean piece is two syllables
    // or more (one syllable is a word only when it is all that was typed): what trails a
    // Korean word is a particle or an ending, let go rather than searched for.
    const korean = isHangul(chunk)
    const shortest = korean && chunk.length > 1 ? 2 : 1
    let i = 0, first = true
    while (i < chunk.length) {
      let len = 0
      for (let l = Math.min(chunk.length - i, MAX_PIECE); l >= shortest; l--)
        if (await known(chunk.slice(i, i + l))) { len = l; break }
      if (len === 0) {
        if (first) out.push([{ text: chunk.slice(i) }])   // not in the index: shown as missing
        break
      }
      const piece = chunk.slice(i, i + len)
      out.push(korean ? await withStem(piece) : [{ text: piece }])
      first = false
      i += len
    }
  }
  const seen = new Set()
  return out.filter(p => !seen.has(p[0].text) && seen.add(p[0].text))
}

/* 한미동맹이 also stands for 한미동맹, 강화했다 for 강화: the longest particle or ending
   Kiwi found in the texts (tails.json) that leaves a word of the index. The word is
   matched whole, so 핵무기 does not also stand for the 핵무 of 핵무장. */
async function withStem(piece) {
  const forms = [{ text: piece }]
  const tails = await fetchJSON("tails.json").catch(() => [])
  for (const tail of tails) {
    const stem = piece.slice(0, piece.length - tail.length)
    if (piece.endsWith(tail) && stem.length >= 2 && await exact(stem)) {
      forms.push({ text: stem, exact: true })
      break
    }
  }
  return forms
}

/* --- scoring ------------------------------------------------------------------------- */

/* A piece's terms of the index, each with its weight (the piece itself 1, a longer term
   it begins PREFIX_WEIGHT), and how many units hold them. */
async function termsOfPiece(forms) {
  const terms = new Map()          // term -> weight
  for (const form of forms) {
    const found = form.exact ? (await exact(form.text) ? [form.text] : []) : await termsFor(form.text)
    for (const term of found)
      terms.set(term, Math.max(terms.get(term) || 0, term === form.text ? 1 : PREFIX_WEIGHT))
  }
  let df = 0, mask = 0
  for (const term of terms.keys()) {
    const { obj } = await shard(term.slice(0, 2))
    df += obj[term][0]
    mask |= obj[term][1]
  }
  return { terms, df: Math.min(df, conf.units) || 1, mask }
}

/* Add one page range's postings of a piece's terms to `units`
   (page * 65536 + unit -> [tf, weight of the unit's kind]). */
async function addRange(r, piece, units) {
  for (const [term, w] of piece.terms) {
    const { obj } = await shard(term.slice(0, 2))
    if (!(obj[term][1] & (1 << r))) continue
    const p = r === 0 ? obj[term].slice(2) : (await rangeShard(r, term.slice(0, 2)))[term] || []
    for (let i = 0; i < p.length; i += 3) {
      const key = p[i] * 65536 + p[i + 1]
      const u = units.get(key) || [0, p[i + 2] & 15]
      u[0] += w * (p[i + 2] >> 4)
      units.set(key, u)
    }
  }
}

/* The results of a query, sent with `emit` once the first page range is ranked, then again
   as each later range a term occurs in arrives (`current()` false: a newer query came). */
async function search(query, emit, current) {
  query = String(query || "").slice(0, MAX_QUERY)
  // Material asks with an empty query when the worker is ready: nothing is fetched for it.
  if (!normalize(query).match(CHUNK)) return emit({ items: [], total: 0, final: true })
  // Asked for at once, beside the shards, rather than one after another.
  const list$ = fetchJSON("pages.json")
  list$.catch(() => {})
  if (isHangul(query)) fetchJSON("tails.json").catch(() => {})
  const forms = await pieces(query)
  if (!forms.length) return emit({ items: [], total: 0, final: true })
  const found = await Promise.all(forms.map(termsOfPiece))
  const lists = found.map(() => new Map())
  const ranges = []
  for (let r = 1; r < (conf.ranges || 1); r++)
    if (found.some(piece => piece.mask & (1 << r))) ranges.push(r)
  await Promise.all(found.map((piece, k) => addRange(0, piece, lists[k])))
  // `final` says whether more will come (the search benchmark waits for it).
  emit({ ...await results(forms, found, lists, await list$), final: !ranges.length })
  // The other ranges, fetched together and added in order as they come.
  const later = ranges.map(r => Promise.all(found.map(piece => {
    const units = new Map()
    return addRange(r, piece, units).then(() => units)
  })))
  for (const [i, arriving] of later.entries()) {
    const added = await arriving
    if (!current()) return
    added.forEach((units, k) => units.forEach((v, key) => lists[k].set(key, v)))
    emit({ ...await results(forms, found, lists, await list$), final: i === later.length - 1 })
  }
}

async function results(forms, found, lists, list) {
  const ps = forms.map(f => f[0].text)
  const units = new Map()           // key -> {score, matched: Set of piece indexes}
  lists.forEach((postings, k) => {
    const idf = Math.log(1 + conf.units / found[k].df)
    for (const [key, [tf, weight]] of postings) {
      const u = units.get(key) || { key, score: 0, matched: new Set() }
      u.score += idf * weight * tf / (tf + 1.2)
      u.matched.add(k)
      units.set(key, u)
    }
  })
  // A unit holding every piece of the query outranks one holding some.
  const pages = new Map()
  for (const u of units.values()) {
    u.score *= u.matched.size
    const p = Math.floor(u.key / 65536)
    const page = pages.get(p) || { page: p, units: [], matched: new Set(), score: 0 }
    page.units.push(u)
    u.matched.forEach(k => page.matched.add(k))
    pages.set(p, page)
  }
  const ranked = [...pages.values()]
  for (const page of ranked) {
    page.units.sort((a, b) => b.score - a.score)
    page.score = page.units[0].score +
      0.1 * page.units.slice(1, 6).reduce((s, u) => s + u.score, 0)
  }
  ranked.sort((a, b) => b.matched.size - a.matched.size || b.score - a.score || a.page - b.page)

  const shown = ranked.slice(0, SHOWN_PAGES)
  const blocks = new Map()
  await Promise.all(shown.flatMap(page => page.units.slice(0, SHOWN_UNITS).map(u => {
    const name = `${page.page}.${Math.floor((u.key % 65536) / conf.block)}`
    return fetchJSON(`b/${name}.json`).then(b => blocks.set(name, b), () => {})
  })))
  const all = forms.flat().map(f => f.text)
  const mark = highlighter(all)
  const hl = encodeURIComponent(all.join(" "))
  const items = ranked.map((page, rank) => {
    const [url, title] = list[page.page]
    const terms = Object.fromEntries(ps.map((p, k) => [p, page.matched.has(k)]))
    const href = `${url}?hl=${hl}`
    const parent = { location: href, title: inLang(mark(title), langOf(title)), text: "", score: page.score, terms }
    if (rank >= SHOWN_PAGES) return [parent]
    const children = []
    for (const u of page.units.slice(0, SHOWN_UNITS)) {
      const n = u.key % 65536
      const block = blocks.get(`${page.page}.${Math.floor(n / conf.block)}`)
      const entry = block && block[n % conf.block]
      if (!entry) continue
      const [anchor, heading, text, lang] = entry
      if (heading === title && text === title)  // the page's own title: that is the parent
        continue
      children.push({
        location: anchor ? `${href}#${anchor}` : href,
        title: inLang(mark(heading), langOf(heading)),
        text: inLang(mark(excerpt(text, all)), lang || ""),
        score: children.length ? u.score : page.score, terms
      })
    }
    return [parent, ...children]
  })
  return { items, total: items.length }
}

/* --- excerpts and highlighting --------------------------------------------------------- */

/* Text in another language than the site's (Korean) is marked with it, so the page's
   styles give Chinese its font and line breaking. A heading carries no language of its
   own in the index: Han letters without Hangul are taken as Chinese. */
const langOf = s => isHan(s) && !isHangul(s) ? "zh" : ""
const inLang = (html, lang) =>
  /^[a-z]{2,3}(-[a-z0-9]+)*$/i.test(lang) && lang !== "ko" ? `<span lang="${lang}">${html}</span>` : html

const escapeHTML = s => s.replace(/[&<>"']/g, c => ({
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"
})[c])

/* A piece as a pattern over the text: Hangul and Han letters may stand a space apart
   (방위비분담금 marks 방위비 분담금), Latin is matched without regard to case. */
function pattern(ps) {
  const alt = ps.map(p => [...p]
    .map(c => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(isLatin(p) ? "" : "\\s?"))
  alt.sort((a, b) => b.length - a.length)
  return new RegExp(alt.join("|"), "giu")
}

function highlighter(ps) {
  const re = pattern(ps)
  return text => {
    let out = "", last = 0
    for (const m of text.matchAll(re)) {
      out += escapeHTML(text.slice(last, m.index)) + "<mark>" + escapeHTML(m[0]) + "</mark>"
      last = m.index + m[0].length
    }
    return out + escapeHTML(text.slice(last))
  }
}

function excerpt(text, ps, before = 60, length = 220) {
  if (text.length <= length) return text
  const m = pattern(ps).exec(text)
  const at = m ? m.index : 0
  const start = Math.max(0, at - before)
  const end = Math.min(text.length, start + length)
  return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "")
}

/* --- messages ------------------------------------------------------------------------ */

let latest = 0
self.addEventListener("message", async ev => {
  const { type, data } = ev.data
  if (type === SETUP) {
    conf = data.config.edition
    setCharacters(conf.chars)
    base = new URL(`../search/${conf.v}/`, self.location.href)
    self.postMessage({ type: READY })
  } else if (type === QUERY) {
    const id = ++latest
    const current = () => id === latest   // an older query answering late is dropped
    let sent = false
    const emit = result => {
      if (current()) { sent = true; self.postMessage({ type: RESULT, data: result }) }
    }
    try {
      await search(data, emit, current)
    } catch (err) {
      console.error("search:", err)
      if (!sent) emit({ items: [], total: 0, final: true })   // results already shown stay
    }
  }
})
