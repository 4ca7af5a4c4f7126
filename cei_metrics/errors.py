"""Errors raised by cei_metrics.

Every problem with the user's input raises a subclass of :class:`CEIError`. The message
names the file, the row and the column where they are known, and says how to fix it.
"""

from __future__ import annotations

__all__ = [
    "CEIError",
    "EstimationError",
    "InstrumentError",
    "OptionError",
    "PrivacyError",
    "SchemaError",
    "SuppressionError",
    "UnknownFormatError",
]


class CEIError(Exception):
    """Base class of every error cei_metrics raises about its input.

    Parameters
    ----------
    message : what is wrong, in plain words.
    file, row, column : where it is wrong, when known. ``row`` is the row as a spreadsheet
        shows the file: the file's first line is row 1, so with one header row the first
        data row is row 2 (comment and title lines above the header count too); for SPSS
        ``.sav`` files it is SPSS's case number.
    fix : how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: object | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.fix = fix
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.fix:
            text = f"{text}\n  How to fix: {self.fix}"
        return text


class SchemaError(CEIError):
    """A table does not match its canonical schema (missing column, wrong type, bad value)."""


class UnknownFormatError(CEIError):
    """A file's format or layout is not one the readers know."""


class SuppressionError(CEIError):
    """A table would expose a cell below the small-cell threshold."""


class PrivacyError(CEIError):
    """Personally identifying information or a small cell escaped to an output."""


class InstrumentError(CEIError):
    """An instrument definition (YAML) is malformed or does not match the data."""


class EstimationError(CEIError):
    """The data cannot support the requested estimate (too few units, no variation, ...)."""


class OptionError(CEIError, ValueError):
    """An option has a value the function does not accept (``ci=1.5``, an unknown
    ``method``, two names for one argument). Raised the same way by every function."""
