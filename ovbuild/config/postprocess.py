"""The recipe's ``postprocess`` section: what the artifact's outputs mean, chosen by its ``kind``.

``kind: detection`` makes the artifact a detector: ``load()`` returns a ``DetectorModel`` whose
``detect`` decodes the outputs with ``decode`` (as the ``detection`` metric does), keeps boxes
scoring at least ``score_threshold`` after per-class NMS at ``nms_iou``, and names each class by
``labels`` (class ids when omitted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional  # noqa: UP035  (OmegaConf needs typing.Optional)

from ovbuild.config.schema import DetectionMetric


@dataclass
class DetectionPostprocess(DetectionMetric):
    kind: str = "detection"
    labels: Optional[list[str]] = None  # class names by class id  # noqa: UP045


POSTPROCESS_SCHEMAS: dict[str, type] = {"detection": DetectionPostprocess}
