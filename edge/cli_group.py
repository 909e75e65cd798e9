"""A typer command group with a default command: `dmind-edge nano "words"` means `dmind-edge nano ask "words"`."""

from __future__ import annotations

from typer.core import TyperGroup


def default_command(name: str) -> type[TyperGroup]:
    """A group class that hands its arguments to command `name` unless they start with another command (or help)."""

    class DefaultCommandGroup(TyperGroup):
        def parse_args(self, ctx, args):
            if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
                args = [name, *args]
            return super().parse_args(ctx, args)

    return DefaultCommandGroup
