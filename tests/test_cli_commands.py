"""The command group: every listed command loads, an unknown one is a usage error."""

from __future__ import annotations

import click
from click.testing import CliRunner

from hubspoke.cli import COMMANDS, main


def test_every_listed_command_loads() -> None:
    context = click.Context(main)
    assert isinstance(main, click.Group)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert isinstance(command, click.Command), name
    assert sorted(main.list_commands(context)) == sorted(COMMANDS)


def test_an_unknown_command_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["summary"])
    assert result.exit_code == 2
    assert "No such command" in result.output
    assert "Traceback" not in result.output
