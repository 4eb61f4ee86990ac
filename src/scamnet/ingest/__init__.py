"""Taking data in: one reader per source format, column mapping, validation with the
core identifier types, rejects kept aside with their reason, and nothing lost silently."""
