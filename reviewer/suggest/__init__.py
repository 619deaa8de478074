"""suggest layer."""
