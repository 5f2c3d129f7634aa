"""SHACL shapes of a register (Turtle), shipped as package data: quanze.shapes."""
