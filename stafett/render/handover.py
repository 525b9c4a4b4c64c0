"""The handover report from templates/: Markdown, or one self-contained HTML file."""

from __future__ import annotations

import jinja2

from stafett.documents import Measure
from stafett.errors import UsageError
from stafett.handover import Package
from stafett.resources import template_text
from stafett.values import label

FORMATS = ("md", "html")


def handover_text(pack: Package, fmt: str, lang: str = "nb") -> str:
    """The report in Norwegian; HTML is one self-contained file."""
    if fmt not in FORMATS:
        raise UsageError("bad_format", allowed=", ".join(FORMATS))
    template = _environment(lang).get_template(f"handover.{fmt}.j2")
    return template.render(p=pack, today=pack.made, worked=worked(pack))


def _environment(lang: str) -> jinja2.Environment:
    """Every text in a log was typed by someone: HTML templates escape all of it
    (select_autoescape(["html"]) missed "handover.html.j2", and a child's
    "<ikkje>" vanished from what she said)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(template_text),
        autoescape=lambda name: (name or "").endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["d"] = lambda value: value.strftime("%d.%m.%Y") if value else ""
    env.filters["label"] = lambda code, field: label(field, code, lang)
    return env


def worked(pack: Package) -> dict[str, list[Measure]]:
    """Measures whose latest evaluation was achieved or partly, and those not."""
    out: dict[str, list[Measure]] = {"yes": [], "no": []}
    for part in pack.measures:
        if part.evaluations:
            last = part.evaluations[-1].result
            out["no" if last == "not_achieved" else "yes"].append(part.measure)
    return out
