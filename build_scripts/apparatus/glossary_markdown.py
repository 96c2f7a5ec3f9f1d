"""Python-Markdown's `abbr`, Korean-aware: the glossary's abbreviations as <abbr title>.

Python-Markdown finds an abbreviation only between `\\b` word boundaries, and Hangul counts
as a word character, so it would miss `SMA를` and `NCG는`: in Korean a particle follows the
word without a space. Here the boundary is "no Latin letter or digit on either side".

This file imports nothing of the edition: the generated project (build_scripts/engines/project.py)
carries a copy of it as `edition_glossary.py`, named in its mkdocs.yml like any other
extension:

    markdown_extensions:
      - edition_glossary:
          glossary: {SMA: "Special Measures Agreement · 방위비분담특별협정 · ..."}
"""
from __future__ import annotations

import re

from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor


def abbr_pattern(keys) -> re.Pattern:
    """Longest first; no Latin letter or digit just outside.

    >>> rx = abbr_pattern(["SMA", "SLCM-N", "NCG"])
    >>> [m.group() for m in rx.finditer("SMA를 NCG는 SMART SLCM-N, (SMA)")]
    ['SMA', 'NCG', 'SLCM-N', 'SMA']
    """
    alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(f"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])")


class _Treeprocessor(AbbrTreeprocessor):
    def run(self, root):
        if not self.abbrs:
            return
        self.RE = abbr_pattern(self.abbrs)
        self.iter_element(root)


class GlossaryExtension(AbbrExtension):
    """Python-Markdown's `abbr`, with the glossary preloaded and Korean-aware matching."""

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        md.treeprocessors.register(_Treeprocessor(md, self.abbrs), "abbr", 7)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's name for it
    return GlossaryExtension(**kwargs)
