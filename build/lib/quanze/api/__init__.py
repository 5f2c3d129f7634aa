"""HTTP API of Quanze (SPARQL endpoint, validation service, pages)."""
