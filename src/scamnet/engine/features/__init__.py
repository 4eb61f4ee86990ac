"""Features defined once, as SQL run by any analytics engine."""
