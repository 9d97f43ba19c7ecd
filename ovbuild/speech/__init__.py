"""Speech-to-text helpers used at build and benchmark time (not shipped in artifacts)."""
