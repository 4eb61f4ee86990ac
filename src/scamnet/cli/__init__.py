"""The ``scamnet`` command line: one module per command group."""
