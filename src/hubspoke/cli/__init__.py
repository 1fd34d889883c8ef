"""The ``hubspoke`` command line.

Each command lives in its own module under :mod:`hubspoke.cli` and is loaded
only when used, so ``hubspoke --help`` stays fast and one broken command
cannot break the others. Exit status: 0 success, 1 invalid data, 2 usage
error; bad input never shows a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

#: command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "demo": "hubspoke.cli.demo:demo",
    "plugins": "hubspoke.cli.plugins_cmd:plugins",
    "template": "hubspoke.cli.template:template",
    "validate": "hubspoke.cli.validate:validate",
    "import": "hubspoke.cli.import_cmd:import_",
    "returns": "hubspoke.cli.returns:returns",
    "score": "hubspoke.cli.score:score",
    "report": "hubspoke.cli.report:report",
    "export": "hubspoke.cli.export:export",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        available = []
        for name, target in COMMANDS.items():
            module = target.split(":")[0]
            if importlib.util.find_spec(module) is not None:
                available.append(name)
        return sorted(available)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        if importlib.util.find_spec(module_name) is None:
            return None  # click then says "No such command", never a traceback
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hubspoke")
def main() -> None:
    """Evaluate hub-and-spoke service programmes: import returns, score spokes, report."""
