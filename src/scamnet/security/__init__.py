"""Users, roles, permissions, handling codes and the audit chain, as use cases."""
