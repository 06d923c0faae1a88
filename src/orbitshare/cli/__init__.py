"""The `orbitshare` command line (typer + rich): the root app and its entry point.

`app` is the root Typer application and `main` the console script's entry point (both from cli/app.py); each
command group lives in its own module and is registered explicitly by cli/app.py.
"""

from orbitshare.cli.app import app, main

__all__ = ["app", "main"]
