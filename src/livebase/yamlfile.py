"""Load a YAML file into a pydantic model with errors that name the line.

Segment maps, playbooks and import mappings are files a marketer edits: a mistake must
point at the line, not at a Python traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from livebase.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_yaml(path: Path, model: type[M], text: str | None = None) -> M:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    try:
        result = model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        line = _line_of(node, loc)
        where = f"{path}:{line}" if line else str(path)
        field = ".".join(str(p) for p in loc) or "(top)"
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise ConfigError(f"{where}: {field}: {err['msg']}{more}") from exc
    # checks across fields (a model's ``problems()``: (location, message) pairs) are
    # reported at the line of their location too
    problems = getattr(result, "problems", None)
    found = problems() if callable(problems) else []
    if found:
        loc, msg = found[0]
        line = _line_of(node, tuple(loc))
        where = f"{path}:{line}" if line else str(path)
        field = ".".join(str(p) for p in loc) or "(top)"
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ConfigError(f"{where}: {field}: {msg}{more}")
    return result
