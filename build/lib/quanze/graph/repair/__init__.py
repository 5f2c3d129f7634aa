"""Repair: what OCR broke (text, types, codes, names, lists), and a person's curation decisions."""
