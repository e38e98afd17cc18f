"""Package discovery (pyproject.toml holds the metadata): every folder under derive/, and templates/ as derive.templates."""
from setuptools import find_namespace_packages, setup


def tree(where: str, name: str) -> list[str]:
    """The package `name` at `where` and every folder below it (data folders too, as namespace packages)."""
    below = find_namespace_packages(where, exclude=["__pycache__", "*.__pycache__"])
    return [name] + [f"{name}.{p}" for p in below]


setup(packages=tree("derive", "derive") + tree("templates", "derive.templates"),
      package_dir={"derive.templates": "templates"})
