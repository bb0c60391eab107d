"""Registration: the public form, self-service links and the organizer desk."""
