"""The words for the values a document's fields can take (a measure's status,
a member's role, an evaluation's result), in bokmål and English."""

from __future__ import annotations

VALUES: dict[str, tuple[str, str]] = {
    "consent_status.active": ("gyldig", "active"),
    "consent_status.partly_withdrawn": ("delvis trukket", "partly withdrawn"),
    "consent_status.withdrawn": ("trukket", "withdrawn"),
    "consent_status.expired": ("utløpt", "expired"),
    "consent_status.not_yet": ("ikke startet", "not started"),
    "result.achieved": ("oppnådd", "achieved"),
    "result.partly": ("delvis oppnådd", "partly achieved"),
    "result.not_achieved": ("ikke oppnådd", "not achieved"),
    "next.continue": ("fortsette", "continue"),
    "next.adjust": ("justere", "adjust"),
    "next.stop": ("avslutte", "stop"),
    "next.new": ("nytt tiltak", "new measure"),
    "child_present.whole": ("hele møtet", "the whole meeting"),
    "child_present.part": ("deler av møtet", "part of the meeting"),
    "child_present.no": ("ikke til stede", "not present"),
    "status.planned": ("planlagt", "planned"),
    "status.active": ("aktivt", "active"),
    "status.completed": ("fullført", "completed"),
    "status.stopped": ("avsluttet", "stopped"),
    "status.open": ("åpen", "open"),
    "status.closed": ("avsluttet", "closed"),
    "role.coordinator": ("stafettholder", "coordinator"),
    "role.professional": ("fagperson", "professional"),
    "role.guardian": ("foresatt", "guardian"),
    "role.child": ("barnet", "child"),
    "role.youth-helper": ("ungdomshjelper", "youth helper"),
    "role.observer": ("observatør", "observer"),
}
