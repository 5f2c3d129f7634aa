"""Validate: SHACL shapes over one register or the store, and the reports people read."""
