"""Use the MiniLM artifact through its generated loader: sentences in, unit vectors out."""

import os
import sys

import numpy as np

# The artifact directory: an argument, else the latest minilm in the store ($OVBUILD_STORE or ./outputs).
store = os.environ.get("OVBUILD_STORE") or "outputs"
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else f"{store}/artifacts/minilm/latest")
from loader import load  # noqa: E402  (the artifact's own loader.py; ovbuild is not imported)

model = load()
sentences = [
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The stock market fell today.",
]
embeddings = model(sentences)["sentence_embedding"]
print(f"device {model.device}; embeddings {embeddings.shape}")
print("cosine similarities:\n", np.round(embeddings @ embeddings.T, 3))
