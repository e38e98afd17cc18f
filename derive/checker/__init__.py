"""Check a hand derivation: extract the math, parse it with our grammar, judge each step."""
