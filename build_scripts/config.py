"""`extra.edition` in mkdocs.yml: the edition's own settings, checked as MkDocs checks its own.

Every setting of the build lives here, with its type and default, instead of in
environment variables a reader of mkdocs.yml cannot see. A wrong value stops the build
with one message per problem, naming the key, what was expected and what was found.

    extra:
      edition:
        nav_sources_max: 30    # sidebar lists every source up to this many
        search: edition        # edition | material | none
        timings_file: null     # write the stages' timings here (the benchmark reads them)
        editors:               # the edition's editors, as citations of its own pages name them
          - literal: 한미동맹 정책 논평 읽기판 편집진     # a group, or {family: …, given: …}
"""
from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from build_scripts.errors import CorpusErrors, EditionError

SEARCH_ENGINES = ("edition", "material", "none")


class EditionConfig(base.Config):
    # Past this many sources the sidebar shows the sources index only: a sidebar of
    # hundreds of titles serves no reader and, rendered on every page, is quadratic.
    nav_sources_max = c.Type(int, default=30)
    # edition: the split Kiwi/jieba index and its worker (what readers get);
    # material: Material's own Lunr index, kept only so the search benchmark can compare;
    # none: no index is written (tests whose subject is not search build faster); not "off",
    # which YAML 1.1, as MkDocs reads it, turns into false.
    search = c.Choice(SEARCH_ENGINES, default="edition")
    # The benchmark's window on the stages' own timings (a JSON file, written after a build).
    timings_file = c.Optional(c.Type(str))
    # Who edits the edition: the editors of its own pages (an issue page is their synthesis),
    # named so in those pages' citations. Each a person {family:, given:} or a group
    # {literal:}; none, and those citations name no editor.
    editors = c.Type(list, default=[])


EDITORS_EXPECTED = ("a list of names, each {family: …, given: …} (a person) or {literal: …} "
                    "(a group), every value non-empty text")


def valid_editor(name) -> bool:
    """One editor: {family, given} (given may be left out) or {literal}, all non-empty text.

    >>> [valid_editor(x) for x in [{"literal": "편집진"}, {"family": "Kim", "given": "Chul"}, {"family": "Kim"},
    ...                            {"literal": ""}, {"literal": "a", "family": "b"}, {"given": "Chul"}, "편집진"]]
    [True, True, True, False, False, False, False]
    """
    if not isinstance(name, dict) or not name:
        return False
    if not all(isinstance(v, str) and v.strip() for v in name.values()):
        return False
    return set(name) == {"literal"} or "family" in name and set(name) <= {"family", "given"}


class ConfigError(EditionError):
    """mkdocs.yml's extra.edition is malformed."""


def load_edition_config(extra: dict | None, path: str = "mkdocs.yml") -> EditionConfig:
    """The validated settings, defaults filled in; all problems at once.

    >>> load_edition_config({}).search, load_edition_config({"edition": {"search": "none"}}).search
    ('edition', 'none')
    >>> try:
    ...     load_edition_config({"edition": {"search": "lunr", "nav_sources_max": 0, "colour": 1}})
    ... except CorpusErrors as e:
    ...     print(e)
    3 problems in the corpus:
      mkdocs.yml: unknown setting extra.edition.colour; expected one of ['nav_sources_max', 'search', 'timings_file', 'editors']; found 'colour'
      mkdocs.yml: bad value for extra.edition.nav_sources_max; expected a whole number, 1 or more; found 0
      mkdocs.yml: bad value for extra.edition.search; expected one of ['edition', 'material', 'none']; found 'lunr'
    """
    raw = (extra or {}).get("edition")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, "bad value for extra.edition", expected="a mapping of settings",
                          found=repr(raw))
    keys = [k for k, _ in EditionConfig._schema]
    problems = [ConfigError(path, f"unknown setting extra.edition.{k}", expected=f"one of {keys}", found=repr(k))
                for k in raw if k not in keys]
    for key in keys:  # one at a time: MkDocs' own validation stops at the first failure
        one = EditionConfig()
        one.load_dict({key: raw[key]} if key in raw else {})
        failed, _ = one.validate()
        if failed:
            expected = (f"one of {list(SEARCH_ENGINES)}" if key == "search" else
                        "a whole number, 1 or more" if key == "nav_sources_max" else
                        EDITORS_EXPECTED if key == "editors" else "a file path, or null")
            problems.append(ConfigError(path, f"bad value for extra.edition.{key}", expected=expected,
                                        found=repr(raw[key])))
        elif key == "editors" and not all(valid_editor(n) for n in one[key]):
            bad = next(n for n in one[key] if not valid_editor(n))
            problems.append(ConfigError(path, f"bad value for extra.edition.{key}", expected=EDITORS_EXPECTED,
                                        found=repr(bad)))
        elif key == "nav_sources_max" and one[key] < 1:
            problems.append(ConfigError(path, f"bad value for extra.edition.{key}",
                                        expected="a whole number, 1 or more", found=repr(raw[key])))
    if problems:
        raise CorpusErrors(problems)
    cfg = EditionConfig()
    cfg.load_dict(raw)
    cfg.validate()
    return cfg
