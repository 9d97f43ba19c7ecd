"""Which of ovbuild's own source files a piece of code runs: the closure of its ``ovbuild.*``
imports, read with ``ast`` (imports inside functions included, nothing is imported).

A stage's cache key digests exactly these files, so editing a stage, or a library it calls
(``precision/``, ``frontends/``, ``sources/``), rebuilds it, while editing the CLI, a sweep plot or
another stage does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _module_file(name: str, root: Path) -> Path | None:
    """The file of module ``ovbuild.a.b`` under ``root`` (the ``ovbuild`` directory), if any."""
    parts = name.split(".")[1:]
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(file: Path, root: Path) -> str:
    parts = ("ovbuild", *file.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(file: Path, module: str | None = None) -> set[str]:
    """Every ``ovbuild.*`` module ``file`` imports (``from pkg import name`` also yields
    ``pkg.name``, which is kept when it is a module)."""
    package = (module or "").rpartition(".")[0] if file.name != "__init__.py" else module or ""
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("ovbuild.")}


class CodeIndex:
    """Import closures over one source tree, each file parsed once (one per key-planning pass)."""

    def __init__(self, root: Path = PACKAGE) -> None:
        self.root = Path(root).resolve()
        self._imports: dict[Path, set[Path]] = {}

    def _direct(self, file: Path) -> set[Path]:
        if file not in self._imports:
            module = _module_name(file, self.root) if file.is_relative_to(self.root) else None
            names = imported_modules(file, module)
            self._imports[file] = {f for f in (_module_file(n, self.root) for n in names) if f is not None}
        return self._imports[file]

    def closure(self, start: Path) -> list[Path]:
        """``start`` and every ovbuild source file it imports, transitively."""
        seen: set[Path] = set()
        todo = [Path(start).resolve()]
        while todo:
            file = todo.pop()
            if file not in seen:
                seen.add(file)
                todo.extend(self._direct(file) - seen)
        return sorted(seen)
