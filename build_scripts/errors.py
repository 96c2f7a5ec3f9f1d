"""Errors for bad input. Each says where (file, line), what was expected and what was found.

The hierarchy follows MkDocs' own (one base, then kinds), so the hooks can turn any of
these into a single clear build error without a traceback.
"""
from __future__ import annotations


class EditionError(Exception):
    """Base class: a problem in the corpus that the user must fix."""

    def __init__(self, path, message: str, *, line: int | None = None,
                 expected: str | None = None, found: str | None = None):
        self.path = str(path)
        self.line = line
        self.expected = expected
        self.found = found
        self.message = message
        super().__init__(self.format())

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [f"{where}: {self.message}"]
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.found is not None:
            parts.append(f"found {self.found}")
        return "; ".join(parts)


class MetadataError(EditionError):
    """meta.yml is missing, malformed or has a bad value."""


class SourceTextError(EditionError):
    """source.txt is missing, empty, not UTF-8, or not the text as received."""


class CorrectionError(EditionError):
    """corrections.yml is malformed or one of its anchors no longer matches."""


class FidelityError(EditionError):
    """The published page would lose or reorder text of the source."""


class CorpusErrors(Exception):
    """Several independent problems, reported together so one run shows them all."""

    def __init__(self, errors: list[EditionError]):
        self.errors = errors
        n = len(errors)
        head = f"{n} problem{'s' if n != 1 else ''} in the corpus:"
        super().__init__("\n".join([head] + ["  " + e.format() for e in errors]))


def message(e: Exception) -> str:
    """The report of a user error, for a command's stderr or a build error: every problem
    of CorpusErrors, or the one EditionError."""
    return e.format() if isinstance(e, EditionError) else str(e)
