"""The store: content-addressed stage cache and versioned artifacts under ``store.root``."""

from ovbuild.store.artifacts import ArtifactStore
from ovbuild.store.cache import CacheEntry, StageCache

__all__ = ["ArtifactStore", "CacheEntry", "StageCache"]
