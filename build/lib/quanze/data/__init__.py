"""Reference data a build needs (statutes, catalogue, code schemes, curation, seed registers), shipped as package data: quanze.data."""
