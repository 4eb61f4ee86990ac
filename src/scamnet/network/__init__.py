"""The networks behind the fraud: the suspected subgraph, groups, roles, compounds."""
