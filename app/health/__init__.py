"""Health and readiness probes for load balancers, process managers and monitoring."""
