"""Precision maps: resolve a map onto the graph, compile it to NNCF and IR pins, or search one.

A pure library over ``ov.Model``: it never imports :mod:`ovbuild.stages` (the ``compress`` stage
calls it, not the other way round).
"""

from __future__ import annotations

from ovbuild.precision.compile_map import NodeMap, apply_map, resolve
from ovbuild.precision.layers import classify

__all__ = ["NodeMap", "apply_map", "classify", "resolve"]
