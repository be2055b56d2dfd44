"""A workspace: a folder with ``livebase.toml`` and the analytics store.

>>> import tempfile
>>> ws = Workspace.init(Path(tempfile.mkdtemp()) / "school", school="Demo")
>>> sorted(ws.con.list_tables())[:3]
['activities', 'api_tokens', 'assignments']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from livebase.config import CONFIG_NAME, WorkspaceConfig
from livebase.engine import add_column, connect, parse
from livebase.errors import ConfigError
from livebase.store.schema import ALL_TABLES


@dataclass
class Workspace:
    root: Path
    config: WorkspaceConfig

    @classmethod
    def init(
        cls,
        root: Path,
        *,
        school: str | None = None,
        overwrite: bool = False,
        engine: str | None = None,
    ) -> Workspace:
        """Create ``root/livebase.toml`` and a store with every table of the contracts
        (in ``engine``, an engine URL; default the DuckDB file ``store.duckdb``)."""
        root = Path(root)
        cfg_path = root / CONFIG_NAME
        if cfg_path.exists() and not overwrite:
            raise ConfigError(f"{cfg_path} already exists (use another folder or --force)")
        if engine is not None:
            parse(engine)  # a bad URL fails before anything is written
        root.mkdir(parents=True, exist_ok=True)
        fields = {"school": school, "engine": engine}
        config = WorkspaceConfig(**{k: v for k, v in fields.items() if v})
        cfg_path.write_text(config.to_toml() + "\n", encoding="utf-8")
        ws = cls(root, config)
        ws.create_tables()
        return ws

    @classmethod
    def open(cls, root: Path, *, engine: str | None = None) -> Workspace:
        """Open the workspace at ``root``; ``engine`` (a URL) overrides its config's."""
        root = Path(root)
        config = WorkspaceConfig.load(root / CONFIG_NAME)
        if engine:
            parse(engine)
            config = config.model_copy(update={"engine": engine})
        ws = cls(root, config)
        ws.create_tables()  # migrate: add tables a newer version knows of
        return ws

    @cached_property
    def con(self) -> BaseBackend:
        return connect(self.config.engine, home=self.root)

    def create_tables(self) -> None:
        """Create missing tables and add columns a newer version of the contracts has."""
        existing = set(self.con.list_tables())
        for spec in ALL_TABLES.values():
            if spec.name not in existing:
                self.con.create_table(spec.name, schema=spec.schema)
                continue
            have = set(self.con.table(spec.name).columns)
            defaults = dict(spec.added_defaults)
            for column, dtype in spec.columns.items():
                if column not in have:
                    add_column(self.con, spec.name, column, dtype, defaults.get(column))

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    @property
    def reports_dir(self) -> Path:
        path = self.root / "reports"
        path.mkdir(exist_ok=True)
        return path

    def close(self) -> None:
        if "con" in self.__dict__:
            self.con.disconnect()
            del self.__dict__["con"]
