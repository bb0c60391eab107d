"""Signing ceremonies: agenda with computed times, signing items, host script, stage list."""
