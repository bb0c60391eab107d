"""Audit log: who did what to personal data and other sensitive settings, and when."""
