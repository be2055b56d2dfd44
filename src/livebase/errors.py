"""One error root for livebase.

Every error a user can cause derives from :class:`LivebaseError`; the CLI prints its
message in one red line and exits 1 (``--debug`` shows the traceback). Input errors are
also ``ValueError`` so that plain Python callers can catch them the usual way.
"""

from __future__ import annotations


class LivebaseError(Exception):
    """Root of every error livebase raises on purpose."""


class InputError(LivebaseError, ValueError):
    """Bad input: a file, a column, a value, an argument.

    >>> err = InputError("no column 'Email'", file="users.csv", line=1, column="Email")
    >>> str(err)
    "users.csv:1: column 'Email': no column 'Email'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.column:
            where += f"column {self.column!r}: "
        return where + self.message


class ConfigError(LivebaseError, ValueError):
    """A configuration file (livebase.toml, a segment map, a playbook) is invalid."""


class EngineError(LivebaseError):
    """The analytics engine could not be reached or refused a statement."""


class InsufficientData(LivebaseError):
    """There is not enough data for the requested computation."""
