"""The LaTeX reader: grammar, normalisation, containers and prose context, shared by check and grad."""
