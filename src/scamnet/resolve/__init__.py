"""Entity resolution: who is who across agencies, sources and scripts."""
