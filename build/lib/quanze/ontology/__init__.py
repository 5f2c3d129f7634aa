"""The Quanze vocabulary (Turtle), shipped as package data: quanze.ontology."""
