"""The root `orbitshare` app: every command group registered explicitly, and the console script's entry point.

Arguments are validated while the command line is parsed by the callbacks of orbitshare.cli.support (files,
output paths, times, id lists, numbers); errors are one line with exit code 2, and no traceback reaches the user
(see support.GuardedGroup). Multi-value options take comma-separated values (`--ids 25544,20580`) and may be
repeated. Tables go to stdout (JSON with `--json`), messages and progress to stderr.
"""

from __future__ import annotations

import typer

from orbitshare.cli import catalog, cdm, data, demo, eo, hub, pnt, propagate, satcom, screen, sda
from orbitshare.cli.support import GuardedGroup

__all__ = ["KERNEL_COMMANDS", "app", "main"]

app = typer.Typer(cls=GuardedGroup, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="orbitshare: allied space situational awareness.")

# The order of registration is the order of `orbitshare --help` (commands first, then groups).
for _group in (catalog, propagate, demo, hub, cdm, sda, screen, eo, satcom, pnt, data):
    _group.register(app)

#: Commands that call numba kernels (the first call after an install compiles them).
KERNEL_COMMANDS = frozenset({"cdm", "demo", "eo", "passes", "pnt", "propagate", "satcom", "screen", "sda", "warmup"})


def _compile_notice(argv: list[str]) -> None:
    """Arrange one line on stderr if the command about to run compiles numba kernels (first use only)."""
    if not argv or argv[0] not in KERNEL_COMMANDS:
        return
    from orbitshare.warmup import announce_compilation

    announce_compilation(lambda: typer.echo(
        "compiling numba kernels on first use (once, about a minute; later runs load them) ...", err=True))


def main() -> None:
    """Entry point of the `orbitshare` console script (errors handled by support.GuardedGroup)."""
    import sys

    _compile_notice(sys.argv[1:])
    app()


if __name__ == "__main__":
    main()
