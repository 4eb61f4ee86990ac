"""Signed exchange of wanted lists, transfer requests and handover manifests between
agencies' instances, as files for air-gapped links or over HTTP."""
