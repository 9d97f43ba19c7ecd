"""The store: content-addressed stage cache and versioned artifacts under ``store.root``."""

from ovbuild.store.artifacts import ArtifactStore
from ovbuild.store.cache import ASSETS, CacheEntry, StageCache

__all__ = ["ASSETS", "ArtifactStore", "CacheEntry", "StageCache"]
