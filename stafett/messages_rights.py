"""Messages of the rights model in bokmål and English: which change broke which
rule, by short commit id, file and handle, never by content."""

from __future__ import annotations

RIGHTS: dict[str, tuple[str, str]] = {
    "commit_unsigned": (
        "Endringen {commit} er ikke signert.",
        "The change {commit} is not signed.",
    ),
    "commit_unknown_signer": (
        "Endringen {commit} er ikke signert av noe medlem av loggen.",
        "The change {commit} is not signed by any member of the log.",
    ),
    "commit_bad_signature": (
        "Signaturen på endringen {commit} stemmer ikke med innholdet; historikken kan være skrevet om.",
        "The signature on the change {commit} does not match its content; the history may have been rewritten.",
    ),
    "commit_not_member": (
        "Endringen {commit} er gjort av medlem {member}, som ikke var medlem da.",
        "The change {commit} was made by member {member}, who was not a member then.",
    ),
    "commit_not_coordinator": (
        "Endringen {commit} endrer loggens profil, medlemmer, samtykker eller overføringer, men er ikke gjort av stafettholderen.",
        "The change {commit} changes the log's profile, members, consents or handovers but was not made by the coordinator.",
    ),
    "commit_key_not_recorded": (
        "Endringen {commit} er signert med en nøkkel som ennå ikke er registrert for {member}. Stafettholderen registrerer den med «stafett member update LOGG {member}» når kortet er lagt inn.",
        "The change {commit} is signed with a key not yet recorded for {member}. The coordinator records it with 'stafett member update LOG {member}' once the card is added.",
    ),
    "commit_not_first": (
        "Endringen {commit} er den første i loggen, men verken åpner eller importerer den.",
        "The change {commit} is the log's first, but neither opens nor imports it.",
    ),
    "commit_read_only": (
        "Endringen {commit} er gjort av {member}, som bare kan lese loggen.",
        "The change {commit} was made by {member}, who may only read the log.",
    ),
    "commit_forbidden_file": (
        "Endringen {commit} endrer {file}, som ingen endrer etter at loggen er åpnet.",
        "The change {commit} changes {file}, which nobody changes once the log is open.",
    ),
    "commit_wrong_author": (
        "Endringen {commit} legger inn {file} i en annens navn: «skrevet av» er ikke den som signerte.",
        "The change {commit} adds {file} in someone else's name: its author is not who signed.",
    ),
    "commit_not_author": (
        "Endringen {commit} endrer eller fjerner {file}, men er verken gjort av den som skrev det eller av stafettholderen.",
        "The change {commit} changes or removes {file}, but was made neither by its author nor by the coordinator.",
    ),
    "commit_voice_changed": (
        "Endringen {commit} endrer barnets egne ord i {file}; bare den som skrev dem, kan det.",
        "The change {commit} changes the child's own words in {file}; only their author may.",
    ),
    "commit_content_changed": (
        "Endringen {commit} skulle bare kryptere {file} på nytt, men endrer innholdet.",
        "The change {commit} should only re-encrypt {file}, but changes its content.",
    ),
    "commit_merge": (
        "Endringen {commit} slår sammen to historikker; den kan ikke kontrolleres ennå.",
        "The change {commit} merges two histories; it cannot be checked yet.",
    ),
    "other_log": (
        "Filen {file} hører til en annen logg og er flyttet hit; den blir ikke lest.",
        "The file {file} belongs to another log and was moved here; it is not read.",
    ),
    "commit_other_log": (
        "Endringen {commit} legger inn {file}, som hører til en annen logg.",
        "The change {commit} adds {file}, which belongs to another log.",
    ),
    "unverified_version": (
        "{file} er sist endret i en endring som bryter loggens regler.",
        "{file} was last changed by a change that breaks the log's rules.",
    ),
    "commit_unreadable": (
        "Endringen {commit} kan ikke leses som en git-endring.",
        "The change {commit} cannot be read as a git commit.",
    ),
    "commit_key_changed": (
        "Endringen {commit} bytter en nøkkel som alt er registrert for et medlem; det kan ingen.",
        "The change {commit} replaces a key already recorded for a member; nobody may.",
    ),
    "signing_key_not_recorded": (
        "Signeringsnøkkelen din er ikke registrert i loggen ennå, så denne endringen kan ikke kontrolleres. Be stafettholderen kjøre «stafett member update LOGG {handle}». Ingenting er endret.",
        "Your signing key is not recorded in the log yet, so this change could not be checked. Ask the coordinator to run 'stafett member update LOG {handle}'. Nothing was changed.",
    ),
    "log_moved": (
        "Loggen {file} ble endret utenom stafett mens du skrev; ingenting er lagret. Kjør kommandoen igjen.",
        "The log {file} was changed outside stafett while you wrote; nothing was saved. Run the command again.",
    ),
    "unverified_change": (
        "{file} kommer fra en endring som bryter loggens regler (se «stafett verify»); det vises ikke.",
        "{file} comes from a change that breaks the log's rules (see 'stafett verify'); it is not shown.",
    ),
    "log_unverified": (
        "Loggen {log} har en endring ({commit}) i profilen eller medlemslisten som bryter loggens regler. Kjør «stafett verify {log}» for detaljer.",
        "The log {log} has a change ({commit}) to its profile or member list that breaks the log's rules. Run 'stafett verify {log}' for details.",
    ),
    "history_rewound": (
        "Historikken til loggen {log} inneholder ikke lenger endringen {commit}, som du har sett før: noen har satt loggen tilbake eller byttet den ut. Ingenting er endret; hent en kopi som inneholder {commit}.",
        "The history of the log {log} no longer contains the change {commit}, which you have seen before: someone set the log back or replaced it. Nothing was changed; get a copy that contains {commit}.",
    ),
}
