"""What a preset produces: rows for canonical tables, each traced to its source lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import pandas as pd

from livebase.config import WorkspaceConfig
from livebase.ingest.fields import Reject
from livebase.ingest.readers import RawTable

# identity columns a batch may carry; the pipeline turns them into customer_id
SRC, EMAIL, PHONE, LINES = "_src", "_email", "_phone", "_lines"


@dataclass
class Batch:
    """Rows for one table. ``_lines`` holds the source lines of each row (a list, since
    a row may aggregate several lines); ``_src``/``_email``/``_phone`` identify the person.

    ``mode`` for customer rows: ``authoritative`` (a users export: its values win) or
    ``fill`` (a profile seen in another export: only fills what the store lacks).
    """

    table: str
    frame: pd.DataFrame
    mode: Literal["authoritative", "fill"] = "fill"


@dataclass
class Converted:
    batches: list[Batch]
    rejects: list[Reject] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    config: WorkspaceConfig
    known_orders: frozenset[str] = frozenset()


class Preset(Protocol):
    name: str
    target: str
    read_options: dict

    def convert(self, raw: RawTable, ctx: Context) -> Converted: ...


def one_line_each(lines: list[int]) -> list[list[int]]:
    return [[line] for line in lines]
