"""Signing ceremonies: agenda segments with computed times, signing items, host script, stage list."""
