"""``hubspoke template FORMAT OUT``: write the blank return template of a format."""

from __future__ import annotations

from pathlib import Path

import click

from hubspoke.cli._common import EXIT_USAGE, fail, friendly_errors
from hubspoke.plugins.contract import TemplateWriter
from hubspoke.plugins.registry import UnknownFormatError, get_registry


@click.command()
@click.argument("format_name", metavar="FORMAT")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@friendly_errors
def template(format_name: str, out: Path, force: bool) -> None:
    """Write a blank, fillable template for FORMAT to OUT."""
    registry = get_registry()
    with_templates = ", ".join(registry.template_formats()) or "(none installed)"
    try:
        chosen = registry.get(format_name)
    except UnknownFormatError:
        fail(f"no format named {format_name!r}; formats with templates: {with_templates}")
    writer = chosen.importer
    if not isinstance(writer, TemplateWriter):
        fail(
            f"format {chosen.name!r} has no template; formats with templates: {with_templates}",
            EXIT_USAGE,
        )
    if out.exists() and not force:
        fail(f"{out} already exists; use --force to overwrite it")
    writer.write_template(out)
    click.echo(f"Wrote a blank {chosen.name} template to {out}")
