"""Casework: handover manifests and the rules of cases that are not storage."""
