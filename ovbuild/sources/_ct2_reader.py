"""Reading a CTranslate2 ``model.bin`` (binary version 6) without CTranslate2.

Layout, all little-endian: ``u32`` binary version, the spec name and every later string as
``u16`` length + bytes (NUL-terminated), ``u32`` spec revision, ``u32`` variable count; per
variable: name, ``u8`` rank, ``u32`` per dimension, ``u8`` dtype, ``u32`` byte count, data; then
``u32`` alias count and (alias, target) name pairs.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ovbuild.errors import SourceError

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
_BF16 = 5
_SUPPORTED_VERSIONS = (5, 6)


@dataclass
class Ct2Model:
    spec: str
    revision: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray:
        """A variable by name, following aliases (``decoder/projection/weight`` → embeddings)."""
        seen = set()
        while name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        try:
            return self.variables[name]
        except KeyError:
            raise SourceError(
                f"model.bin: no variable {name!r} (a {self.spec} revision {self.revision})"
            ) from None

    def scalar(self, name: str) -> int:
        return int(self.get(name).reshape(-1)[0])


class _Cursor:
    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, fmt: str) -> int:
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.data):
            raise SourceError(f"source.path: {self.path} is truncated at byte {self.pos}")
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        length = self.take("H")
        raw = bytes(self.data[self.pos : self.pos + length])
        self.pos += length
        return raw.rstrip(b"\0").decode("utf-8", errors="replace")

    def block(self, nbytes: int) -> memoryview:
        if self.pos + nbytes > len(self.data):
            raise SourceError(f"source.path: {self.path} is truncated inside a variable at byte {self.pos}")
        view = self.data[self.pos : self.pos + nbytes]
        self.pos += nbytes
        return view


def read_model_bin(path: Path | list[Path]) -> Ct2Model:
    """Every variable of ``path`` as a NumPy array (f16 stays f16; bf16 is widened to f32).
    A list of paths is one ``model.bin`` split into parts: read as their concatenation.

    Raises:
        SourceError: not a CTranslate2 model of a version this reader knows, or truncated.
    """
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    path = paths[0] if len(paths) == 1 else Path(" + ".join(str(p) for p in paths))
    data = memoryview(b"".join(p.read_bytes() for p in paths))
    cur = _Cursor(data, Path(path))
    version = cur.take("I")
    if version not in _SUPPORTED_VERSIONS:
        raise SourceError(
            f"source.path: {path} is not a CTranslate2 model.bin this reader knows "
            f"(binary version {version}; supported: {', '.join(map(str, _SUPPORTED_VERSIONS))})"
        )
    model = Ct2Model(spec=cur.string(), revision=cur.take("I"))
    for _ in range(cur.take("I")):
        name = cur.string()
        shape = tuple(cur.take("I") for _ in range(cur.take("B")))
        dtype_id = cur.take("B")
        raw = cur.block(cur.take("I"))
        model.variables[name] = _array(raw, dtype_id, shape, name, path)
    for _ in range(cur.take("I")):
        alias = cur.string()
        model.aliases[alias] = cur.string()
    return model


def _array(raw: memoryview, dtype_id: int, shape: tuple[int, ...], name: str, path: Path) -> np.ndarray:
    if dtype_id == _BF16:
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    if dtype_id not in _DTYPES:
        raise SourceError(f"source.path: {path}: variable {name!r} has unknown dtype code {dtype_id}")
    arr = np.frombuffer(raw, dtype=_DTYPES[dtype_id])
    if arr.size != int(np.prod(shape)):
        raise SourceError(f"source.path: {path}: variable {name!r} holds {arr.size} values for shape {shape}")
    return arr.reshape(shape)
