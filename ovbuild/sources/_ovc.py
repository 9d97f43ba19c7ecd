"""``openvino.convert_model`` without its side effect on logging.

When a conversion fails, OpenVINO's converter raises the root logger to ERROR and installs its own
handler; every later ovbuild warning in the process would vanish. The logging state is restored.
"""

from __future__ import annotations

import logging
from typing import Any


def convert_model(*args: Any, **kwargs: Any) -> Any:
    """Call ``openvino.convert_model`` and put the root logger back as it was, success or not."""
    import openvino as ov

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        return ov.convert_model(*args, **kwargs)
    finally:
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
