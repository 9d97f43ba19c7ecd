"""Word error rate, the accuracy measure of speech-to-text (words compared after normalization)."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s']")


def normalize(text: str) -> list[str]:
    """Lower-cased words without punctuation (apostrophes kept: "it's" stays one word)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    return _PUNCT.sub(" ", text).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference word count), by Levenshtein over words."""
    from ovbuild.metrics.sequence import edit_distance

    ref = normalize(reference)
    return edit_distance(ref, normalize(hypothesis)), len(ref)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: all edits over all reference words (0.0 when both are empty)."""
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    edits = words = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        e, n = word_errors(reference, hypothesis)
        edits, words = edits + e, words + n
    if words == 0:
        return 0.0 if edits == 0 else 1.0
    return edits / words


def sentence_found(sentence: str, text: str) -> bool:
    """At least half the sentence's words appear in order within one stretch of ``text`` (a
    sentence that a transcript of long audio kept, not lost or cut)."""
    words, said = normalize(sentence), normalize(text)
    best = 0
    for first in range(len(said)):
        stretch, hits = said[first : first + len(words) + 4], 0
        for word in words:
            if word in stretch:
                stretch, hits = stretch[stretch.index(word) + 1 :], hits + 1
        best = max(best, hits)
    return best >= 0.5 * len(words)
