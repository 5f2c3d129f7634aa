"""Read: a register file's bytes → text, table rows or flowchart items (no repair yet)."""
