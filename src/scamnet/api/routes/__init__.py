"""The /v1 resources. Each route parses, calls one use case, and presents its result."""
