"""Query: comparisons of jurisdictions and network analytics over the built graph."""
