"""Events: public event pages and organizer event settings."""
