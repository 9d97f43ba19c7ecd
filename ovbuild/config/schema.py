"""The recipe schema: dataclasses registered in Hydra's ConfigStore (the enums their keys take
live in :mod:`ovbuild.config.choices`).

A recipe is composed by Hydra from ``conf/`` and one overlay in ``recipes/``, then checked
against these classes by :mod:`ovbuild.config._validate`, which reports every problem at once.
Optional groups default to ``None``: a stage whose config is ``None`` is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional  # noqa: UP035  (OmegaConf needs typing.Optional)

from omegaconf import MISSING

from ovbuild.config.choices import (
    BackupPrecision,
    CalibrationKind,
    DeviceMode,
    InferencePrecision,
    LayerClass,
    Metric,
    PerformanceHint,
    Precision,
    QuantizationPreset,
    RangeEstimator,
)


@dataclass
class PrecisionRule:
    """One rule of a precision map; the first rule whose matchers all hit a node wins."""

    precision: Precision = MISSING
    layer: LayerClass | None = None
    op_type: str | None = None
    name: str | None = None  # a regular expression over node names
    after: str | None = None  # a regular expression over the names of the node's producers


@dataclass
class AccuracyBudget:
    """Adaptive selection: the cheapest precision map whose metric drops at most ``max_drop``."""

    max_drop: float = MISSING
    metric: Metric | None = None  # validate.metric, else cosine, when omitted
    samples: int = 100  # calibration samples scored per candidate map
    fallback: Precision = Precision.fp16  # where sensitive layers go when kept out of INT8
    rank_samples: int = 16  # samples per layer when ranking sensitivity
    max_units: int = 96  # rank at most this many layers (the weighted ones first)
    confirm: int = 3  # real re-quantized builds to confirm the estimate
    measure_latency: bool = True  # pick the fastest passing map by measured latency on the device
    min_speedup: float = 1.0  # a map must be at least this much faster than FP32 at every batch size
    schemes: bool = True  # when full INT8 misses: try presets, range estimators, bias correction


@dataclass
class PrecisionConfig:
    default: Precision = Precision.fp32
    rules: list[PrecisionRule] = field(default_factory=list)
    group_size: int = 128
    ratio: float = 1.0
    sym: bool = False
    dynamic_quantization_group_size: int | None = None
    accuracy: AccuracyBudget | None = None
    # nncf.quantize knobs; model_type "transformer" is chosen automatically for attention graphs.
    model_type: str | None = None
    preset: QuantizationPreset | None = None  # performance (symmetric activations) | mixed
    smooth_quant_alpha: float | None = None
    range_estimator: RangeEstimator | None = None  # activations; null: NNCF's default for the model
    bias_correction: bool = True  # NNCF's (fast) bias correction after quantizing
    # nncf.compress_weights knobs (int8_weights / int4_weights), e.g. for LLMs.
    backup_precision: BackupPrecision | None = None  # null: NNCF's default (int8_asym)
    all_layers: bool | None = None  # null: all layers, except first/last of generative models
    group_size_fallback: str | None = None  # error (default) | ignore | adjust
    awq: bool = False  # data-aware (calibration data): activation-aware weight quantization
    scale_estimation: bool = False  # data-aware
    gptq: bool = False  # data-aware


@dataclass
class DeviceConfig:
    priorities: list[str] = field(default_factory=lambda: ["CPU"])
    mode: DeviceMode = DeviceMode.single
    performance_hint: PerformanceHint | None = PerformanceHint.LATENCY
    num_streams: int | None = None
    num_requests: int | None = None
    inference_precision: InferencePrecision | None = None
    enable_startup_fallback: bool | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    # Legacy GPU options, mapped to real OpenVINO properties by ovbuild.runtime.devices.
    gpu_fp16_enable: bool | None = None
    gpu_optimize: str | None = None  # modern | legacy
    precompile_shapes: bool = False
    input_shapes: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class CalibrationConfig:
    kind: CalibrationKind = MISSING
    path: str | None = None
    target: str | None = None  # callable: "module:function" yielding input dicts
    samples: int = 300
    seed: int = 0
    holdout: int = 100  # samples kept apart for validate, never used for calibration


@dataclass
class ValidatePart:
    """A named slice of one output, gated with its own metric (e.g. a detector's box rows)."""

    output: Any = 0  # index or name of the output
    axis: int = 1
    slice: list[Optional[int]] = field(default_factory=lambda: [0, None])  # [start, stop)
    metric: Metric | None = None  # validate.metric when omitted
    min: float | None = None  # validate.min/max when omitted and the metric is the same
    max: float | None = None


@dataclass
class DetectionMetric:
    """How the ``detection`` metric turns outputs into detections."""

    decode: str = "yolo"  # yolo ([1, 4 + C, A] centre-size boxes + class scores) | "module:function"
    score_threshold: float = 0.25
    nms_iou: float = 0.5


@dataclass
class ValidateConfig:
    metric: Metric = Metric.cosine
    min: float | None = None
    max: float | None = None
    samples: int = 50
    data: str | None = None  # held-out data; synthetic inputs when omitted
    target: str | None = None  # metric: target -> "module:function(reference, candidate)"
    new_tokens: int = 32  # token_agreement: greedy tokens generated per held-out prompt
    parts: dict[str, ValidatePart] = field(default_factory=dict)
    detection: DetectionMetric = field(default_factory=DetectionMetric)
    k: int = 5  # topk_agreement
    threshold: float = 0.5  # mask_iou: a value above it is inside the mask
    # Bound on the worst sample's value (a minimum, or a maximum for an error metric). Unset: for
    # cosine, ideal - worst_factor * (ideal - min), e.g. 0.95 for min 0.99; null worst_factor: none.
    worst: float | None = None
    worst_factor: float | None = 5.0
    decision_threshold: float | None = None  # decision: unset -> 0.5 for probabilities, 0 for logits
    class_axis: int | None = None  # top1_agreement, ctc_*: unset -> the last axis longer than 1
    blank: int = 0  # ctc_*: the blank class index


@dataclass
class SignConfig:
    """Sign every published version with model-signing (``ovbuild verify --key PUB`` checks it)."""

    key: str = MISSING  # elliptic-curve private key, PEM
    password_env: str | None = None  # environment variable holding the key's password
    certificate: str | None = None  # the key's signing certificate (PEM); verify with the root CA
    chain: list[str] = field(default_factory=list)  # intermediate certificates (PEM)


@dataclass
class StoreConfig:
    root: str = "outputs"
    # Publish a new version even when its model differs from every existing version of the name.
    allow_model_change: bool = False


@dataclass
class AudioFrontend:
    kind: str = "audio"
    embed: bool = True
    sample_rate: int = 16000
    features: str = "log_mel"  # log_mel | mfcc | whisper_log_mel | mel (linear power) | raw
    n_fft: int = 400
    win_length: int | None = None
    hop_length: int = 160
    n_mels: int = 40
    n_mfcc: int = 13
    fmin: float = 0.0
    fmax: float | None = None
    power: float = 2.0
    normalize: bool = False
    center: bool = True
    mono: bool = True
    pad_or_chunk: str = "pad"
    input_name: str | None = None
    pad_mode: str = "constant"  # centre padding: constant (librosa's default) | reflect
    top_db: float | None = 80.0  # librosa power_to_db's floor below the clip's max dB; null: none
    layout: str = "mels_frames"  # feature layout: mels_frames ([n, frames], librosa) | frames_mels
    chunk_seconds: float = 30.0  # whisper_log_mel pads/trims to this many seconds
    # whisper_log_mel: "audio" pads the waveform with silence to chunk_seconds first (openai-whisper,
    # HF); "features" computes features of the real audio only and pads them with zeros (faster-whisper):
    # the artifact then takes a second input, num_frames, the frames of real audio per row.
    whisper_pad: str = "audio"
    mixdown: bool = True  # average multichannel audio to mono; false: multichannel input fails
    input_layout: str = "NCT"  # layout of the model input fed: letters N, C (bands), T (frames), 1
    num_samples: int | None = None  # waveform length the artifact takes; null: from the input's frames


@dataclass
class TextFrontend:
    kind: str = "text"
    tokenizer: str | None = None  # a local tokenizer dir; the HF source dir when omitted
    max_length: int = 128  # truncation length
    padding: str = "longest"  # longest (in each batch; dynamic axes) | max_length (static axes)
    embed: bool = True


@dataclass
class ImageFrontend:
    kind: str = "image"
    size: list[int] = field(default_factory=lambda: [224, 224])
    layout: str = "NCHW"
    mean: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # per channel, 0-255 scale
    scale: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0])  # older name of std
    std: Optional[list[float]] = None  # per channel, 0-255 scale; wins over scale
    resize: str = "stretch"  # stretch | letterbox | shorter_side (then centre crop of size)
    pad_value: float = 0.0  # letterbox padding
    letterbox_anchor: str = "center"  # center | top_left (pad at the bottom/right)
    shorter_side: Optional[int] = None  # resize: shorter_side
    channels: str = "RGB"  # the channel order the model expects (images are fed RGB)
    input_dtype: str = "u8"  # u8 | f32 (0-255 values)
    embed: bool = True


FRONTEND_SCHEMAS: dict[str, type] = {"audio": AudioFrontend, "text": TextFrontend, "image": ImageFrontend}


@dataclass
class Recipe:
    """A whole recipe: what to build, at which precision, for which devices."""

    name: str = MISSING
    description: str = ""
    source: Any = MISSING  # one of SOURCE_SCHEMAS, chosen by its ``kind``
    inputs: dict[str, list[int]] = field(default_factory=dict)
    precision: PrecisionConfig = field(default_factory=PrecisionConfig)
    device: DeviceConfig = field(default_factory=DeviceConfig)
    frontend: Any = None  # one of FRONTEND_SCHEMAS, chosen by its ``kind``
    postprocess: Any = None
    calibration: CalibrationConfig | None = None
    validate: ValidateConfig | None = None
    store: StoreConfig = field(default_factory=StoreConfig)
    sign: SignConfig | None = None
