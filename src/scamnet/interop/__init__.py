"""Interchange with the tools partners already use: FollowTheMoney, STIX 2.1, MISP,
Gephi (GEXF), Cytoscape, i2 Analyst's Notebook, GeoJSON, and plain lists."""
