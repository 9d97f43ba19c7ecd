"""Whisper's vocabulary as decoding needs it: the special tokens, the suppression lists, the
prompt faster-whisper builds (previous text, start sequence), and the reading of a window decoded
with timestamps into segments (standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WhisperTokens:
    """Special token ids and suppression lists of one Whisper vocabulary."""

    eot: int
    sot: int
    no_timestamps: int
    timestamp_begin: int
    vocab_size: int
    suppress: tuple[int, ...]
    suppress_begin: tuple[int, ...]
    max_initial_timestamp_index: int = 50
    sot_prev: int | None = None
    #: Every OpenAI Whisper vocabulary puts ``<|nospeech|>`` right before ``<|notimestamps|>``.
    no_speech: int = -1
    multilingual: bool = False
    languages: dict[str, int] = field(default_factory=dict, hash=False)  # "en" -> <|en|>
    tasks: dict[str, int] = field(default_factory=dict, hash=False)  # "transcribe" -> <|transcribe|>

    @classmethod
    def from_generation_config(cls, gen: dict, vocab_size: int) -> WhisperTokens:
        no_ts = int(gen["no_timestamps_token_id"])
        suppress = {int(t) for t in gen.get("suppress_tokens") or []}
        langs = {str(k).strip("<|>"): int(v) for k, v in (gen.get("lang_to_id") or {}).items()}
        tasks = {str(k): int(v) for k, v in (gen.get("task_to_id") or {}).items() if v is not None}
        prev = gen.get("prev_sot_token_id")
        return cls(
            eot=int(gen["eos_token_id"]),
            sot=int(gen["decoder_start_token_id"]),
            no_timestamps=no_ts,
            timestamp_begin=no_ts + 1,
            vocab_size=vocab_size,
            suppress=tuple(sorted(t for t in suppress if 0 <= t < vocab_size)),
            suppress_begin=tuple(int(t) for t in gen.get("begin_suppress_tokens") or []),
            max_initial_timestamp_index=int(gen.get("max_initial_timestamp_index", 50)),
            sot_prev=None if prev is None else int(prev),
            no_speech=int(gen.get("no_speech_token_id") or no_ts - 1),
            multilingual=bool(gen.get("is_multilingual")) and bool(langs),
            languages=langs,
            tasks=tasks,
        )

    def sot_sequence(self, language: str | None = None, task: str = "transcribe") -> list[int]:
        """``<|startoftranscript|>`` and, for a multilingual vocabulary, the language and task."""
        if not self.multilingual:
            return [self.sot]
        if language not in self.languages:
            raise ValueError(f"language {language!r} is not one of this model's: {', '.join(self.languages)}")
        if task not in self.tasks:
            raise ValueError(f"task {task!r} is not one of {', '.join(self.tasks)}")
        return [self.sot, self.languages[language], self.tasks[task]]

    def prompt(
        self,
        timestamps: bool,
        language: str | None = None,
        task: str = "transcribe",
        previous: list[int] | tuple[int, ...] = (),
        max_length: int = 448,
    ) -> list[int]:
        """The decoder prompt faster-whisper builds: the previous window's text after
        ``<|startofprev|>`` (at most half the context), the start sequence, ``<|notimestamps|>``."""
        head: list[int] = []
        if previous and self.sot_prev is not None:
            head = [self.sot_prev, *list(previous)[-(max_length // 2 - 1) :]]
        tail = [] if timestamps else [self.no_timestamps]
        return head + self.sot_sequence(language, task) + tail


def split_segments(
    ids: list[int], timestamp_begin: int
) -> tuple[list[tuple[int, int, list[int]]], int | None]:
    """Whisper's reading of a window decoded with timestamps, as faster-whisper splits it.

    Returns:
        ``(segments, resume)``: segments as (start, end, ids) in timestamp steps of the
        window (``end`` is -1 for text running to the window's end; ``ids`` keep their
        timestamps, as the next window's prompt takes them), and the timestamp step
        the next window starts from, or ``None`` when the whole window was consumed (it ended
        on a single timestamp, or no segment was closed). A segment left open at the window's
        end is dropped and ``resume`` is the end of the last complete one, so the open one is
        decoded again whole from the next window.
    """
    tb = timestamp_begin
    pairs = [i for i in range(1, len(ids)) if ids[i] >= tb and ids[i - 1] >= tb]
    single_ending = len(ids) >= 2 and ids[-2] < tb <= ids[-1]
    if not pairs:
        stamps = [t - tb for t in ids if t >= tb]
        end = stamps[-1] if stamps and stamps[-1] > 0 else -1
        return ([(0, end, list(ids))] if ids else []), None
    cuts = pairs + ([len(ids)] if single_ending else [])
    segments, last = [], 0
    for cut in cuts:
        piece = ids[last:cut]
        segments.append((piece[0] - tb, piece[-1] - tb, piece))
        last = cut
    if single_ending:
        return segments, None
    return segments, ids[last - 1] - tb
