"""Quanze: registers → repaired records → RDF graph → embedded SPARQL store."""
