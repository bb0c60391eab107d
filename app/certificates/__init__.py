"""Certificates: numbered, verifiable participation and award certificates."""
