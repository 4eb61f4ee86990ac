"""The pure domain: identifier types, records, entities, roles and the suspect lifecycle.

Nothing in this package opens a file, a socket or a database.
"""
