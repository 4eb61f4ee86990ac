"""Records streamed as they happen: push intake, NATS workers, arrival scoring, the
dissuasion queue (docs/stream.md)."""
