"""The verifier: the index normal form, numeric evaluation, and the routes between them."""
