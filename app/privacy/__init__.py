"""Privacy (PIPL / GDPR): versioned consent texts, a participant's data download and deletion
requests, anonymization of registrations after the retention period."""
