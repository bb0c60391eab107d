"""Accounts: login, users, per-event roles, site administration."""
