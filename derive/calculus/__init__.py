"""Symbolic objects and numeric evaluation shared by recipes, verifier and checker."""
