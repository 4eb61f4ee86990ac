"""The citizens' service: check a number, URL, account or wallet; file a report."""
