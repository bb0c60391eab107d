"""Check-in: lists, scans (JSON API for scanners), device tokens and the live dashboard."""
