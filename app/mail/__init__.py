"""Mail: the outbox and the one mail sender."""
