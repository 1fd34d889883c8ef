"""``hubspoke plugins [--json]``: installed plugins, their importers, and what failed to load."""

from __future__ import annotations

import json
from typing import Any

import click

from hubspoke.cli._common import friendly_errors
from hubspoke.plugins.registry import Registry, get_registry


def plugins_json(registry: Registry) -> dict[str, Any]:
    """The plugin listing as JSON-ready data."""
    return {
        "plugins": [
            {
                "name": p.name,
                "distribution": p.distribution,
                "version": p.version,
                "entry_point": p.entry_point,
                "builtin": p.builtin,
                "importers": [
                    {
                        "name": r.name,
                        "description": r.importer.description,
                        "extensions": list(r.importer.extensions),
                        "version": r.importer.version,
                        "template": r.has_template,
                    }
                    for r in registry.importers.values()
                    if r.distribution == p.distribution and r.plugin_name == p.name
                ],
            }
            for p in registry.plugins
        ],
        "skipped": [
            {"name": s.plugin, "distribution": s.distribution, "reason": s.reason}
            for s in registry.skipped
        ],
        "failures": [
            {
                "plugin": f.plugin,
                "distribution": f.distribution,
                "entry_point": f.entry_point,
                "stage": f.stage,
                "error": f.error,
            }
            for f in registry.failures
        ],
    }


def plugins_text(registry: Registry) -> str:
    """The plugin listing for a terminal."""
    data = plugins_json(registry)
    lines: list[str] = []
    for p in data["plugins"]:
        version = f" {p['version']}" if p["version"] else ""
        kind = ", built-in" if p["builtin"] else ""
        lines.append(f"{p['distribution']}{version} (plugin {p['name']!r}{kind})")
        if not p["importers"]:
            lines.append("    (no importers)")
        width = max((len(i["name"]) for i in p["importers"]), default=0)
        ext_width = max((len(" ".join(i["extensions"])) for i in p["importers"]), default=0)
        for i in p["importers"]:
            extra = "  [template]" if i["template"] else ""
            exts = " ".join(i["extensions"])
            lines.append(
                f"    {i['name']:<{width}}  {exts:<{ext_width}}  {i['description']}{extra}"
            )
    if not data["plugins"]:
        lines.append("No plugins loaded.")
    if data["skipped"]:
        lines.append("")
        lines.append("Skipped:")
        lines.extend(
            f"    {s['name']} ({s['distribution']}): {s['reason']}" for s in data["skipped"]
        )
    if data["failures"]:
        lines.append("")
        lines.append(f"Failed to load ({len(data['failures'])}):")
        lines.extend(
            f"    {f['distribution']} ({f['entry_point']}), {f['stage']}: {f['error']}"
            for f in data["failures"]
        )
    return "\n".join(lines)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the listing as one JSON document.")
@friendly_errors
def plugins(as_json: bool) -> None:
    """List installed plugins, their importers and any that failed to load."""
    registry = get_registry()
    if as_json:
        click.echo(json.dumps(plugins_json(registry), indent=2))
    else:
        click.echo(plugins_text(registry))
