"""One extractor per kind of section; each returns one tidy DataFrame (plus warnings)."""
