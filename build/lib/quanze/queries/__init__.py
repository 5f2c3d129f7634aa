"""Example SPARQL queries for legal staff, shipped as package data: quanze.queries."""
