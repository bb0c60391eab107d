"""Audit log: who did what to personal data and other sensitive settings, and when.

The log is written by every layer (`record_audit`), so it sits below accounts; its pages
are in app.events (audit_routes).
"""
