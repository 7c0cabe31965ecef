"""Deterministic factories, one module per app (tests never load fixture files)."""
