"""The stages of the graph, in order: source → convert → shape → frontend → calibrate → compress → validate →
serialize → precompile → emit."""

from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.calibrate import CalibrateStage
from ovbuild.stages.compress import CompressStage
from ovbuild.stages.convert import ConvertStage
from ovbuild.stages.emit import EmitStage
from ovbuild.stages.frontend import FrontendStage
from ovbuild.stages.precompile import PrecompileStage
from ovbuild.stages.serialize import SerializeStage
from ovbuild.stages.shape import ShapeStage
from ovbuild.stages.source import SourceStage
from ovbuild.stages.validate import ValidateStage


def default_stages() -> list[Stage]:
    return [
        SourceStage(),
        ConvertStage(),
        ShapeStage(),
        FrontendStage(),
        CalibrateStage(),
        CompressStage(),
        ValidateStage(),
        SerializeStage(),
        PrecompileStage(),
        EmitStage(),
    ]


__all__ = ["Stage", "StageContext", "default_stages"]
