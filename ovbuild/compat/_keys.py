"""The legacy config's vocabulary: its keys and the values they accept.

Enumerations come from the recipe schema (:mod:`ovbuild.config.schema`), so a precision, layer
class or hint added there is accepted here too; only the legacy spellings (aliases) live here.
"""

from __future__ import annotations

from ovbuild.config.choices import LayerClass, PerformanceHint, Precision

#: Every key the old API understood, with what it becomes in the recipe.
KEYS: dict[str, str] = {
    "device": "device.priorities / device.mode",
    "model_type": "frontend kind and the data modality run_inference accepts",
    "model_path": "source.path",
    "model_format": "source.kind",
    "legacy_converter": "source.converter (kind legacy)",
    "tokenizer": "frontend.tokenizer (a text model given as a model file)",
    "precision": "precision.default",
    "mixed_precision": "precision.rules (with mixed_precision_config)",
    "mixed_precision_config": "precision.default and precision.rules",
    "calibration_data": "calibration (an .npz, or text lines)",
    "calibration_samples": "calibration.samples",
    "multi_device": "device.mode multi",
    "device_priorities": "device.priorities",
    "performance_hint": "device.performance_hint",
    "gpu_fp16_enable": "device.gpu_fp16_enable",
    "gpu_optimize": "device.gpu_optimize",
    "precompile_shapes": "device.precompile_shapes",
    "input_shapes": "device.input_shapes",
    "use_optimum": "source.kind hf",
    "sample_rate": "frontend.sample_rate",
    "feature_type": "frontend.features",
    "feature_size": "frontend.n_mels / frontend.n_mfcc",
    "normalize": "frontend.normalize",
    "n_fft": "frontend.n_fft",
    "hop_length": "frontend.hop_length",
}
AUDIO_KEYS = ("sample_rate", "feature_type", "feature_size", "normalize", "n_fft", "hop_length")
MODEL_TYPES = ("text", "vision", "audio", "multimodal")
FORMATS = {
    "ir": "ir",
    "xml": "ir",
    "openvino": "ir",
    "onnx": "onnx",
    "legacy": "legacy",
    "tflite": "tflite",
    "hf": "hf",
    "huggingface": "hf",
    "ctranslate2": "ctranslate2",
    "optimum": "hf",
}
SUFFIX_FORMATS = {".xml": "ir", ".onnx": "onnx", ".tflite": "tflite"}
# The old API had no accuracy search: every fixed precision, not "auto".
PRECISIONS = tuple(p.value for p in Precision if p is not Precision.auto)
LAYERS = tuple(layer.value for layer in LayerClass)
HINTS = tuple(hint.value for hint in PerformanceHint)
FEATURES = {  # librosa's naming: a "mel spectrogram" is linear power, "log_mel" is in dB
    "mel": "mel",
    "melspectrogram": "mel",
    "log_mel": "log_mel",
    "logmel": "log_mel",
    "log_mel_spectrogram": "log_mel",
    "fbank": "log_mel",
    "mfcc": "mfcc",
    "whisper": "whisper_log_mel",
    "whisper_log_mel": "whisper_log_mel",
    "raw": "raw",
    "waveform": "raw",
}
