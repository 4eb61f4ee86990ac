"""Long-running data work submitted over the API, run one at a time by the server.

Each kind of job calls the same use case as its CLI command (`kinds.py`); the jobs
themselves are rows of the store (`scamnet.store.jobs`), submitted, listed and read
through `service.py`, and run by `worker.py` inside ``scamnet serve``.
"""
