"""Casework use cases: cases and suspects, handovers, transfer requests, operations and
publications. Each takes a unit of work (`ports.UnitOfWork`) and an actor."""
