"""Map: repaired drafts, statutes and alignments → RDF with provenance on every node."""
