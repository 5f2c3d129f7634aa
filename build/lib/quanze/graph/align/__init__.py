"""Align: statutes and citations, jurisdictions, the same power across registers and the canonical catalogue."""
