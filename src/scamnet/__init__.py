"""scamnet: an open platform against telephone and internet fraud."""

__version__ = "0.1.0"
