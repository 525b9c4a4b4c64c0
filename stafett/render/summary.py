"""The text of `stafett show`: what a coordinator needs before a meeting."""

from __future__ import annotations

from stafett.i18n import text
from stafett.ids import short
from stafett.render.text import L, d, indent, measure_rows, member_line, table
from stafett.values import label
from stafett.views import LogSummary


def summary_text(s: LogSummary, lang: str) -> str:
    """What a coordinator needs before a meeting: the child, who helps, what is
    being tried and when it is evaluated, the latest meetings and words."""
    p = s.profile
    lines = [
        f"{p.child.name} ({L('born', lang)} {d(p.child.born)}), {p.child.school}, "
        f"{L('grade', lang).lower()} {p.child.grade}",
        f"{L('log', lang)} {short(s.id)} · {label('status', p.status, lang)} · "
        f"{L('level', lang)} {p.level}: {s.level_name}",
        f"{L('coordinator', lang)}: {s.coordinator.name if s.coordinator else '?'}",
        *_provenance(s, lang),
        "",
        L("members", lang) + ":",
        *(f"  {member_line(m, lang)}" for m in s.members),
        "",
        L("active_measures", lang) + ":",
    ]
    rows = measure_rows(s.measures, lang)
    for view, row in zip(s.measures, rows, strict=True):
        last = view.evaluations[-1] if view.evaluations else None
        row.append(label("result", last.result, lang) + f" {d(last.date)}" if last else "")
    headers = [
        L(h, lang)
        for h in ("id", "measure", "responsible", "status", "evaluate_by", "last_evaluation")
    ]
    lines.append(indent(table(headers, rows)) if rows else "  " + L("none", lang))
    lines += ["", L("latest_meetings", lang) + ":"]
    lines += [
        f"  {d(m.date)}: {', '.join(m.decisions) or m.minutes.splitlines()[0]}" for m in s.meetings
    ] or ["  " + L("none", lang)]
    lines += ["", L("latest_voices", lang) + ":"]
    lines += [f"  {d(v.date)} ({v.how}): «{v.words.strip()}»" for v in s.voices]
    if not s.voices:
        lines.append("  " + L("none", lang))
    return "\n".join(lines + _warnings(s, lang))


def _warnings(s: LogSummary, lang: str) -> list[str]:
    lines = []
    if s.notices:
        lines += ["", *(f"! {text(n.key, lang, age=n.age)}" for n in s.notices)]
    if s.conflicts:
        lines += ["", "! " + L("conflict_flag", lang, count=s.conflicts, log=short(s.id))]
    if s.unreadable:
        lines += ["", L("unreadable_docs", lang, count=s.unreadable)]
    return lines


def _provenance(s: LogSummary, lang: str) -> list[str]:
    p = s.provenance
    if p is None:
        return []
    # The name is only what the bundle claims: unless its signer was found in
    # people.yaml under that name at import, it never shows without the marker.
    who = p.exporter.name
    if not p.exporter.known:
        who += " " + L("unverified_exporter", lang)
    who += f", {p.exporter.service}" if p.exporter.service else ""
    return [L("came_from", lang, place=p.municipality or "?", who=who, date=d(p.exported.date()))]
