"""Messages of sync, clone, status, conflicts and doctor: (bokmål, English)."""

from __future__ import annotations

SYNC: dict[str, tuple[str, str]] = {
    "no_remote": (
        "Loggen {log} har ingen remote. Sett en med «stafett remote set {log} STED».",
        "The log {log} has no remote. Set one with 'stafett remote set {log} PLACE'.",
    ),
    "remote_bad_url": (
        "Det er ikke et sted stafett kan synkronisere med. Bruk en mappe, file://, ssh://, git://, https:// eller bruker@vert:sti.",
        "That is not a place stafett can sync with. Use a folder, file://, ssh://, git://, https:// or user@host:path.",
    ),
    "remote_not_empty": (
        "Mappen {folder} finnes og er ikke et bart git-repo; stafett lager ikke et repo i en mappe med annet innhold.",
        "The folder {folder} exists and is not a bare git repository; stafett does not make one in a folder with other content.",
    ),
    "remote_no_host": (
        "Fant ikke maskinen i adressen til remote. Sjekk adressen og nettverket.",
        "Could not find the host in the remote's address. Check the address and the network.",
    ),
    "remote_connection_refused": (
        "Remote svarer ikke (tilkoblingen ble avvist). Er tjenesten i gang?",
        "The remote does not answer (the connection was refused). Is the service running?",
    ),
    "remote_refused": (
        "Remote for loggen {log} har endringen {commit}, som bryter loggens regler: {why} Ingenting er slått sammen.",
        "The remote of the log {log} holds the change {commit}, which breaks the log's rules: {why} Nothing was merged.",
    ),
    "remote_timeout": (
        "Remote svarte ikke i tide. Prøv igjen senere.",
        "The remote did not answer in time. Try again later.",
    ),
    "remote_denied": (
        "Remote avviste deg: tilgang mangler eller innloggingen feilet. Sjekk ssh-nøkkelen eller passordet for git.",
        "The remote turned you away: no access, or the login failed. Check your ssh key or git credentials.",
    ),
    "remote_host_key": (
        "Remote kunne ikke bekreftes (ukjent vertsnøkkel). Koble til med ssh én gang og godta nøkkelen.",
        "The remote could not be confirmed (unknown host key). Connect with ssh once and accept its key.",
    ),
    "remote_missing": (
        "Fant ikke noe git-repo på remote. Sjekk adressen; en mappe lages ved første synkronisering.",
        "Found no git repository at the remote. Check the address; a folder is made at the first sync.",
    ),
    "remote_moved": (
        "Noen sendte endringer til remote samtidig. Kjør synkroniseringen igjen.",
        "Someone sent changes to the remote at the same time. Run the sync again.",
    ),
    "remote_rejected": (
        "Remote tok ikke imot endringene.",
        "The remote did not accept the changes.",
    ),
    "remote_failed": (
        "git kunne ikke nå remote.",
        "git could not reach the remote.",
    ),
    "remote_rewound": (
        "Remote for loggen {log} inneholder ikke lenger endringen {commit}, som du har synkronisert før: noen har satt den tilbake. Ingenting er hentet eller endret.",
        "The remote of the log {log} no longer holds the change {commit}, which you synced before: someone set it back. Nothing was fetched or changed.",
    ),
    "local_refused": (
        "Loggen {log} har endringen {commit} her på maskinen, og den bryter loggens regler: {why} Ingenting er sendt eller slått sammen. Kjør «stafett verify {log}».",
        "The log {log} holds the change {commit} on this computer, and it breaks the log's rules: {why} Nothing was sent or merged. Run 'stafett verify {log}'.",
    ),
    "merge_refused": (
        "Loggen {log} ble ikke slått sammen med remote: {why} Ingenting er endret.",
        "The log {log} was not merged with its remote: {why} Nothing was changed.",
    ),
    "remote_unrelated": (
        "Remote for loggen {log} har en annen historikk enn loggen; ingenting er slått sammen.",
        "The remote of the log {log} holds another history than the log; nothing was merged.",
    ),
    "remote_not_log": (
        "Det som ligger på remote, er ikke en stafettlogg.",
        "What the remote holds is not a stafett log.",
    ),
    "remote_odd_file": (
        "Remote har en fil stafett aldri skriver ({file}); ingenting er hentet inn i loggen.",
        "The remote holds a file stafett never writes ({file}); nothing was taken into the log.",
    ),
    "remote_all_one_place": (
        "Med --all oppgir du bare ett sted; hver logg får STED/<logg-id>.git.",
        "With --all give one place only; each log gets PLACE/<log-id>.git.",
    ),
    "remote_url_missing": (
        "Oppgi stedet loggen skal synkroniseres med.",
        "Give the place the log syncs with.",
    ),
    "sync_one_or_all": (
        "Oppgi én logg, eller --all.",
        "Give one log, or --all.",
    ),
    "merge_unreadable": (
        "Dokumentet {file} i loggen {log} er endret på begge sider, og du har ikke tilgang til å lese det. Et medlem som kan lese det, må synkronisere først.",
        "The document {file} in the log {log} was changed on both sides, and you may not read it. A member who can read it must sync first.",
    ),
    "log_exists": (
        "Loggen {log} finnes allerede i lageret. Bruk «stafett sync {log}».",
        "The log {log} is already in the store. Use 'stafett sync {log}'.",
    ),
    "bad_keep": ("Velg en av: {allowed}.", "Choose one of: {allowed}."),
    "keep_not_yours": (
        "Ingen av verdiene i feltet {field} er din. Bruk --keep first eller --keep second.",
        "Neither value of the field {field} is yours. Use --keep first or --keep second.",
    ),
    "conflict_field_fixed": (
        "Feltet {field} avgjøres ikke: det endres aldri, og en sammenslåing lager ingen konflikt i det.",
        "The field {field} is not resolved: it never changes, and a merge makes no conflict in it.",
    ),
    "no_conflict": (
        "Dokumentet {doc} har ingen konflikt å avgjøre.",
        "The document {doc} has no conflict to resolve.",
    ),
    "unknown_document": (
        "Fant ikke ett dokument med id {doc}.",
        "Found no single document with the id {doc}.",
    ),
    "resolve_not_yours": (
        "Bare den som skrev dokumentet, eller stafettholderen, kan avgjøre konflikten.",
        "Only the document's author, or the coordinator, can resolve the conflict.",
    ),
    "commit_merge_side": (
        "Sammenslåingen {commit} tar inn endringen {side}, som bryter loggens regler.",
        "The merge {commit} brings in the change {side}, which breaks the log's rules.",
    ),
    "commit_merge_standing": (
        "Sammenslåingen {commit} tar inn endringen {side}, gjort av en som på den andre siden har gått ut av loggen eller gitt fra seg stafettpinnen. Legg medlemmet til igjen (eller ta stafettpinnen tilbake) på den andre siden hvis endringen skal være med.",
        "The merge {commit} brings in the change {side}, made by someone who on the other side has left the log or handed over the baton. Add the member again (or take the baton back) on the other side if the change is to stay.",
    ),
    "commit_merge_wrong": (
        "Sammenslåingen {commit} gir ikke det de to sidene skrev i {file}: noe er tapt eller lagt til.",
        "The merge {commit} does not give what the two sides wrote in {file}: something was lost or added.",
    ),
    "not_author_or_coordinator": (
        "Bare den som skrev dokumentet, eller stafettholderen, kan endre det.",
        "Only the document's author, or the coordinator, can change it.",
    ),
    "nothing_to_change": ("Oppgi minst ett felt å endre.", "Give at least one field to change."),
    "ui.action.update": ("endret", "changed"),
    "ui.cloned": ("Hentet loggen {log}.", "Cloned the log {log}."),
    "ui.sync_progress": ("Synkroniserer", "Syncing"),
    "ui.sync.synced": ("synkronisert", "synced"),
    "ui.sync.nothing": ("i takt, ingenting å gjøre", "in step, nothing to do"),
    "ui.sync.conflicts": ("synkronisert med konflikter", "synced with conflicts"),
    "ui.sync.refused": ("avvist", "refused"),
    "ui.sync.unreachable": ("ikke nådd", "unreachable"),
    "ui.sync.no_remote": ("ingen remote", "no remote"),
    "ui.sync_received": ("{count} endringer hentet", "{count} changes received"),
    "ui.sync_sent": ("sendt", "sent"),
    "ui.sync_conflicts": (
        "{count} dokumenter med konflikt: se «stafett conflicts {log}»",
        "{count} documents with a conflict: see 'stafett conflicts {log}'",
    ),
    "ui.sync_not_reencrypted": (
        "{count} dokumenter du ikke kan lese, er ikke kryptert på nytt; stafettholderens neste synkronisering gjør det",
        "{count} documents you cannot read were not encrypted again; the coordinator's next sync does it",
    ),
    "ui.sync_summary": ("Til sammen: {counts}", "In all: {counts}"),
    "ui.status.in_step": ("i takt", "in step"),
    "ui.status.ahead": ("foran (ikke sendt)", "ahead (not sent)"),
    "ui.status.behind": ("bak (ikke hentet)", "behind (not received)"),
    "ui.status.diverged": ("begge har endringer", "diverged"),
    "ui.status.not_synced": ("aldri synkronisert", "never synced"),
    "ui.status.no_remote": ("ingen remote", "no remote"),
    "ui.status.refused": ("kan ikke leses som den er", "cannot be read as it is"),
    "ui.state": ("Status", "State"),
    "ui.ahead_behind": ("Foran/bak", "Ahead/behind"),
    "ui.conflicts": ("Konflikter", "Conflicts"),
    "ui.remote": ("Remote", "Remote"),
    "ui.field": ("Felt", "Field"),
    "ui.values": ("Verdier (av)", "Values (by)"),
    "ui.no_conflicts": ("Ingen konflikter.", "No conflicts."),
    "ui.resolved": ("Konflikten i {doc} er avgjort.", "The conflict in {doc} is resolved."),
    "ui.doctor_missing": ("mangler {what}", "missing {what}"),
    "ui.doctor_foreign": (
        "innstillinger stafett ikke har skrevet: {what} (fjern dem med git config --unset)",
        "settings stafett did not write: {what} (remove them with git config --unset)",
    ),
    "ui.doctor_repaired": ("lagt inn det som manglet", "put in what was missing"),
    "ui.action.sync": ("synkronisert", "synced"),
    "ui.action.resolve": ("avgjorde en konflikt", "resolved a conflict"),
    "ui.conflict_flag": (
        "Konflikter å avgjøre: {count} (se «stafett conflicts {log}»)",
        "Conflicts to resolve: {count} (see 'stafett conflicts {log}')",
    ),
}
