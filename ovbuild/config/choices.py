"""The closed sets of values recipe keys take (``precision.default``, ``device.mode``, ...).

The recipe dataclasses (:mod:`ovbuild.config.schema`) type their keys with these enums, so
OmegaConf refuses any other value; readers that only need the names (the legacy translator, the
metric registry's tests) import them from here without the whole schema.
"""

from __future__ import annotations

from enum import Enum


class Precision(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    int8 = "int8"
    int8_weights = "int8_weights"
    int4_weights = "int4_weights"
    auto = "auto"


class BackupPrecision(str, Enum):
    """Where weight-only compression puts layers it keeps out of INT4 (NNCF's backup mode)."""

    int8_asym = "int8_asym"
    int8_sym = "int8_sym"
    none = "none"  # keep them in floating point


class LayerClass(str, Enum):
    attention = "attention"
    matmul = "matmul"
    conv = "conv"
    embedding = "embedding"
    norm = "norm"
    softmax = "softmax"
    head = "head"


class DeviceMode(str, Enum):
    single = "single"
    auto = "auto"
    hetero = "hetero"
    multi = "multi"


class PerformanceHint(str, Enum):
    LATENCY = "LATENCY"
    THROUGHPUT = "THROUGHPUT"
    CUMULATIVE_THROUGHPUT = "CUMULATIVE_THROUGHPUT"


class QuantizationPreset(str, Enum):
    """NNCF's presets: symmetric activations (performance) or asymmetric ones (mixed)."""

    performance = "performance"
    mixed = "mixed"


class RangeEstimator(str, Enum):
    """How static INT8 sets activation ranges from calibration statistics (NNCF's named sets)."""

    minmax = "minmax"  # the extremes seen: no clipping
    mean_minmax = "mean_minmax"  # the mean of each sample's extremes
    mean_no_outliers_minmax = "mean_no_outliers_minmax"
    median_minmax = "median_minmax"
    mean_quantile = "mean_quantile"  # the mean of each sample's 1e-4 quantiles: clips outliers
    histogram = "histogram"  # the range minimizing quantization error over a histogram


class InferencePrecision(str, Enum):
    f32 = "f32"
    bf16 = "bf16"
    f16 = "f16"


class CalibrationKind(str, Enum):
    text_lines = "text_lines"
    audio_dir = "audio_dir"
    image_dir = "image_dir"
    npz = "npz"
    callable = "callable"
    synthetic = "synthetic"


class Metric(str, Enum):
    cosine = "cosine"
    max_abs = "max_abs"
    top1_agreement = "top1_agreement"
    nn_agreement = "nn_agreement"
    # RMS error of the cosine similarities between every pair of samples' embeddings (lower is better)
    similarity_rmse = "similarity_rmse"
    topk_agreement = "topk_agreement"
    mask_iou = "mask_iou"
    detection = "detection"
    target = "target"
    token_agreement = "token_agreement"  # generative: greedy tokens vs the FP32 artifact's
    wer = "wer"  # speech to text: word error rate vs the FP32 artifact's transcripts (lower is better)
    decision = "decision"  # share of values on the same side of validate.decision_threshold
    ctc_string = "ctc_string"  # share of greedy CTC strings equal to the reference's
    ctc_cer = "ctc_cer"  # character error rate of the greedy CTC strings (lower is better)
