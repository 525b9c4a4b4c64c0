"""Error messages in bokmål and English: what went wrong and what to do about it.

They name fields, files, ids and handles, never case content. NOTICES are the
warnings that come before an error: what the law asks as the child grows older.
"""

from __future__ import annotations

ERRORS: dict[str, tuple[str, str]] = {
    "key_file_corrupt": (
        "Nøkkelfilen er ødelagt eller har feil format.",
        "The key file is damaged or in the wrong format.",
    ),
    "not_encrypted": (
        "Filen {file} er ikke kryptert med age, men skulle vært det.",
        "The file {file} is not age-encrypted, but should be.",
    ),
    "not_for_you": ("Nøkkelen din kan ikke åpne {file}.", "Your key cannot open {file}."),
    "corrupt_file": (
        "Filen {file} er ødelagt og kan ikke dekrypteres.",
        "The file {file} is damaged and cannot be decrypted.",
    ),
    "wrong_passphrase": (
        "Feil passordfrase. Ingenting er endret.",
        "Wrong passphrase. Nothing was changed.",
    ),
    "bad_recipient": (
        "Den offentlige nøkkelen er ikke en gyldig age-nøkkel (age1...).",
        "The public key is not a valid age key (age1...).",
    ),
    "no_recipients": (
        "Ingen kan lese dokumentet; det må ha minst én mottaker.",
        "Nobody could read the document; it needs at least one recipient.",
    ),
    "yaml_broken": ("Filen {file} er ikke gyldig YAML.", "The file {file} is not valid YAML."),
    "yaml_not_round_trip": (
        "Teksten i {file} kan ikke lagres uten å endres; fjern spesialtegn.",
        "The text of {file} cannot be stored unchanged; remove special characters.",
    ),
    "yaml_not_mapping": (
        "Filen {file} har ikke forventet oppbygning.",
        "The file {file} does not have the expected structure.",
    ),
    "schema_missing": (
        "Feltet «{field}» mangler i {file}.",
        "The field '{field}' is missing in {file}.",
    ),
    "schema_unknown_field": (
        "Ukjent felt «{field}» i {file}.",
        "Unknown field '{field}' in {file}.",
    ),
    "schema_empty": (
        "Feltet «{field}» i {file} kan ikke være tomt.",
        "The field '{field}' in {file} cannot be empty.",
    ),
    "schema_too_long": (
        "Feltet «{field}» i {file} er for langt.",
        "The field '{field}' in {file} is too long.",
    ),
    "schema_bad_value": (
        "Feltet «{field}» i {file} har en ugyldig verdi.",
        "The field '{field}' in {file} has an invalid value.",
    ),
    "bad_reference": (
        "«{ref}» er ingen gyldig referanse til {what}: skriv minst {min} tegn av id-en.",
        "'{ref}' is not a valid {what} reference: type at least {min} characters of the id.",
    ),
    "unknown_reference": (
        "Fant ingen {what} med id som begynner på «{ref}».",
        "No {what} has an id starting with '{ref}'.",
    ),
    "ambiguous_reference": (
        "«{ref}» passer til {count} av typen {what}; skriv flere tegn.",
        "'{ref}' matches {count} of kind {what}; type more characters.",
    ),
    "bad_date": (
        "Feltet «{field}» må være en dato som 2025-09-22 eller 22.09.2025.",
        "The field '{field}' must be a date such as 2025-09-22 or 22.09.2025.",
    ),
    "bad_choice": (
        "Feltet «{field}» må være en av: {allowed}.",
        "The field '{field}' must be one of: {allowed}.",
    ),
    "bad_handle": (
        "Kallenavn kan bare ha små bokstaver, tall, punktum, bindestrek og understrek.",
        "A handle may only hold lower-case letters, digits, dot, dash and underscore.",
    ),
    "empty_field": ("Feltet «{field}» kan ikke være tomt.", "The field '{field}' cannot be empty."),
    "git_missing": (
        "Fant ikke git. Installer git og prøv igjen.",
        "git was not found. Install git and try again.",
    ),
    "git_failed": (
        "git {command} feilet. Loggen er ikke endret.",
        "git {command} failed. The log was not changed.",
    ),
    "git_broken": (
        "Git-historikken i loggen {file} er skadet.",
        "The git history of log {file} is damaged.",
    ),
    "log_too_many_files": (
        "Loggen {file} har flere filer enn en stafettlogg kan ha; den leses ikke.",
        "The log {file} has more files than a stafettlogg can have; it is not read.",
    ),
    "quarantine_newer": (
        "{file} er skrevet av en nyere stafett, ikke skadet: oppdater stafett for å lese "
        "den. Den settes ikke i karantene.",
        "{file} was written by a newer stafett, not damaged: update stafett to read it. "
        "It is not quarantined.",
    ),
    "git_stalled": (
        "Git svarte ikke på {seconds} sekunder i loggen {file}; noe i .git-mappen "
        "blokkerer. Kjør stafett verify, og be den som har tilgang til mappen se på den.",
        "Git did not answer within {seconds} seconds in the log {file}; something in its "
        ".git folder blocks it. Run stafett verify, and ask whoever looks after the "
        "folder to check it.",
    ),
    "head_moved": (
        "Loggen {file} peker ikke på sin egen historikk (HEAD er endret utenom stafett); "
        "den leses ikke. Kjør stafett verify.",
        "The log {file} does not point at its own history (HEAD was changed outside "
        "stafett); it is not read. Run stafett verify.",
    ),
    "unexpected_git_state": (
        "Loggen {file} har {thing} i .git, som stafett aldri lager: git kan da vise noe "
        "annet enn det som ble signert. Fjern det.",
        "The log {file} has {thing} in .git, which stafett never makes: git could then "
        "show something other than what was signed. Remove it.",
    ),
    "file_missing": ("Filen {file} finnes ikke.", "The file {file} does not exist."),
    "handle_taken": (
        "Kallenavnet «{handle}» er allerede i bruk.",
        "The handle '{handle}' is already taken.",
    ),
    "recipient_taken": (
        "Nøkkelen til «{handle}» er allerede registrert på en annen person.",
        "The key of '{handle}' is already registered to another person.",
    ),
    "unknown_person": (
        "Fant ingen person med kallenavnet «{handle}» i personregisteret.",
        "No person with the handle '{handle}' in the directory of people.",
    ),
    "key_exists": (
        "{file} finnes allerede; en nøkkel blir aldri overskrevet.",
        "{file} already exists; a key is never overwritten.",
    ),
    "passphrase_short": (
        "Passordfrasen må ha minst 8 tegn.",
        "The passphrase must have at least 8 characters.",
    ),
    "identity_missing": (
        "Fant ingen nøkkel i {file}. Lag en med «stafett key new».",
        "No key at {file}. Make one with 'stafett key new'.",
    ),
    "passphrase_needed": (
        "Nøkkelen {file} er beskyttet med passordfrase; oppgi den.",
        "The key {file} is protected by a passphrase; give it.",
    ),
    "card_missing": (
        "Fant ikke det offentlige kortet {file} ved siden av nøkkelen.",
        "The public card {file} beside the key was not found.",
    ),
    "bad_level": (
        "Nivået finnes ikke i handlingsveilederen; gyldige nivåer er {allowed}.",
        "That level is not in the action guide; valid levels are {allowed}.",
    ),
    "store_exists": ("Det finnes allerede et lager i {file}.", "A store already exists at {file}."),
    "bad_language": ("Språket må være nb eller en.", "The language must be nb or en."),
    "store_missing": (
        "Fant ikke noe lager i {file}. Lag et med «stafett init».",
        "No store at {file}. Make one with 'stafett init'.",
    ),
    "identity_needed": (
        "Denne kommandoen trenger nøkkelen din (--identity eller STAFETT_IDENTITY).",
        "This command needs your key (--identity or STAFETT_IDENTITY).",
    ),
    "you_not_in_people": (
        "Nøkkelen din står ikke i personregisteret; legg deg til med «stafett people add».",
        "Your key is not in the directory of people; add yourself with 'stafett people add'.",
    ),
    "unknown_member": (
        "«{handle}» er ikke medlem av loggen.",
        "'{handle}' is not a member of the log.",
    ),
    "not_member": ("Du er ikke medlem av denne loggen.", "You are not a member of this log."),
    "already_member": (
        "«{handle}» er allerede medlem av loggen.",
        "'{handle}' is already a member of the log.",
    ),
    "evaluate_before_start": (
        "Evalueringsdatoen kan ikke være før startdatoen.",
        "The evaluation date cannot be before the start date.",
    ),
    "child_minutes_needed": (
        "Oppgi hvor mange minutter barnet var med (--child-minutes).",
        "Give how many minutes the child took part (--child-minutes).",
    ),
    "log_closed": (
        "Loggen er avsluttet og kan ikke endres.",
        "The log is closed and cannot be changed.",
    ),
    "quarantine_root": (
        "{file} kan ikke settes i karantene: loggen kan ikke være uten den.",
        "{file} cannot be quarantined: the log cannot do without it.",
    ),
    "quarantine_unreadable": (
        "Du kan ikke lese {file}, så den settes ikke i karantene: den kan være "
        "skrevet bare for andre medlemmer.",
        "You cannot read {file}, so it is not quarantined: it may be written for "
        "other members only.",
    ),
    "quarantine_not_damaged": (
        "{file} er ikke skadet; karantene er bare for skadede dokumenter.",
        "{file} is not damaged; quarantine is for damaged documents only.",
    ),
    "log_locked": (
        "Noen andre skriver til loggen akkurat nå; prøv igjen om litt.",
        "Someone else is writing to the log right now; try again shortly.",
    ),
    "read_only": ("Du har bare lesetilgang til loggen.", "You have read-only access to the log."),
    "coordinator_only": (
        "Bare stafettholderen kan gjøre dette.",
        "Only the coordinator can do this.",
    ),
    "member_needs_name_role": (
        "Oppgi enten en person fra personregisteret, eller --name og --role.",
        "Give either a person from the directory, or --name and --role.",
    ),
    "bad_now": (
        "{var} må være en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt (ISO 8601), ikke «{value}».",
        "{var} must be a date (YYYY-MM-DD) or a time (ISO 8601), not “{value}”.",
    ),
    "unexpected_git_setting": (
        "Loggen {file} har en git-innstilling som stafett ikke har satt: {setting}. stafett kjører den ikke; fjern den med «git config --unset» i loggens mappe.",
        "The log {file} has a git setting stafett did not make: {setting}. stafett does not run it; remove it with “git config --unset” in the log's folder.",
    ),
    "stray_file": (
        "Loggmappen har en fil som stafett ikke har skrevet: «{file}» ({count} i alt). stafett sletter ikke filer andre har lagt der: flytt den ut av loggmappen og prøv igjen. Ingenting er endret.",
        "The log folder has a file stafett did not write: “{file}” ({count} in all). stafett never deletes files others put there: move it out of the log folder and try again. Nothing was changed.",
    ),
    "document_too_large": (
        "Filen {file} er for stor til å være et dokument i en stafettlogg.",
        "The file {file} is too large to be a document of a stafettlogg.",
    ),
    "store_locked": (
        "Lageret er opptatt av en annen stafett-kommando; prøv igjen om litt.",
        "The store is busy with another stafett command; try again shortly.",
    ),
    "field_too_long": (
        "«{field}» er for langt. Ingenting er lagret.",
        "“{field}” is too long. Nothing was saved.",
    ),
    "field_not_accepted": (
        "«{field}» har en verdi som ikke kan lagres. Ingenting er lagret.",
        "“{field}” has a value that cannot be saved. Nothing was saved.",
    ),
    "born_too_early": (
        "Fødselsdatoen er mer enn {years} år tilbake; en stafettlogg følger barn og unge til de er 24.",
        "The birth date is more than {years} years ago; a stafettlogg follows children and young people until they are 24.",
    ),
    "yaml_alias": (
        "{file} bruker YAML-ankere eller -aliaser, som stafett aldri skriver; filen er avvist.",
        "{file} uses YAML anchors or aliases, which stafett never writes; the file is refused.",
    ),
    "yaml_too_deep": (
        "{file} er nøstet dypere enn noe stafett skriver; filen er avvist.",
        "{file} is nested deeper than anything stafett writes; the file is refused.",
    ),
    "not_utf8": (
        "{file} er ikke tekst i UTF-8; lagre den som UTF-8 og prøv igjen. Ingenting er endret.",
        "{file} is not UTF-8 text; save it as UTF-8 and try again. Nothing was changed.",
    ),
    "newer_version": (
        "{file} er laget med en nyere stafett (formatversjon {version}); denne stafett kjenner formatversjon {known}. Oppdater stafett for å lese den.",
        "{file} was written by a newer stafett (format version {version}); this stafett knows format version {known}. Update stafett to read it.",
    ),
    "unknown_kind": (
        "Filen {file} har en ukjent dokumenttype.",
        "The file {file} has an unknown document kind.",
    ),
    "path_mismatch": (
        "Filen {file} ligger ikke der id-en og typen sier; den kan være flyttet eller byttet.",
        "The file {file} is not where its id and kind say; it may have been moved or swapped.",
    ),
    "born_in_future": (
        "Fødselsdatoen kan ikke være fram i tid.",
        "The birth date cannot be in the future.",
    ),
    "bad_grade": (
        "Trinn må være mellom -1 og 13 (0 er barnehage).",
        "Grade must be between -1 and 13 (0 is kindergarten).",
    ),
    "uncommitted_changes": (
        "Loggen {file} har endringer som ikke er lagret i historikken.",
        "The log {file} has changes that are not in its history.",
    ),
    "unexpected_file": (
        "Filen {file} hører ikke hjemme i en logg.",
        "The file {file} does not belong in a log.",
    ),
    "unexpected_content": (
        "Filen {file} har uventet innhold.",
        "The file {file} has unexpected content.",
    ),
    "no_tty_passphrase": (
        "Passordfrasen kan ikke spørres om uten terminal; sett STAFETT_PASSPHRASE.",
        "Cannot ask for the passphrase without a terminal; set STAFETT_PASSPHRASE.",
    ),
    "bad_minutes_file": (
        "Fant ikke filen {file} med referatet.",
        "The minutes file {file} was not found.",
    ),
    "editor_failed": (
        "Redigeringsprogrammet avsluttet med feil; ingenting er lagret.",
        "The editor exited with an error; nothing was saved.",
    ),
    "unexpected": (
        "Uventet feil ({error}). Kjør med --debug for detaljer.",
        "Unexpected error ({error}). Run with --debug for details.",
    ),
    "passphrase_mismatch": (
        "Passordfrasene var ikke like. Ingenting er laget.",
        "The passphrases did not match. Nothing was made.",
    ),
    "agent_running": ("Agenten kjører allerede.", "The agent is already running."),
    "agent_not_running": ("Agenten kjører ikke.", "The agent is not running."),
    "agent_failed": ("Agenten kunne ikke startes.", "The agent could not be started."),
    "agent_untrusted": (
        "Agenten i {folder} er ikke en du har startet (mappen eller agent.json er ikke privat for deg, eller den som svarer, kjenner ikke agentens hemmelighet); den brukes ikke.",
        "The agent in {folder} is not one you started (the folder or agent.json is not private to you, or whatever answers does not know the agent's secret); it is not used.",
    ),
    "agent_dir_unsafe": (
        "Agentmappen {folder} er ikke privat for deg (en annen eier, en lenke, eller åpen for andre); agenten startes ikke der. Fjern mappen, eller sett STAFETT_AGENT_DIR til en mappe bare du eier.",
        "The agent folder {folder} is not private to you (another owner, a link, or open to others); the agent does not start there. Remove the folder, or set STAFETT_AGENT_DIR to a folder only you own.",
    ),
    "agent_dir_moved": (
        "Kjøremappen {refused} er ikke privat for deg; agenten bruker {folder} i stedet.",
        "The runtime folder {refused} is not private to you; the agent uses {folder} instead.",
    ),
    "no_consent_for_service": (
        "Ingen gyldig samtykke dekker tjenesten «{service}». Registrer samtykke først, eller bruk --override --why.",
        "No active consent covers the service '{service}'. Record consent first, or use --override --why.",
    ),
    "remove_coordinator": (
        "Stafettholderen kan ikke fjernes; gi stafettpinnen videre først.",
        "The coordinator cannot be removed; pass the baton first.",
    ),
    "until_before_from": (
        "Samtykket kan ikke slutte før det begynner.",
        "The consent cannot end before it starts.",
    ),
    "service_not_in_consent": (
        "Samtykket gjelder ikke tjenesten «{service}».",
        "The consent does not cover the service '{service}'.",
    ),
    "already_coordinator": (
        "Personen er allerede stafettholder.",
        "That person is already the coordinator.",
    ),
    "coordinator_must_be_professional": (
        "Stafettpinnen kan bare gis til en fagperson med egen nøkkel.",
        "The baton can only go to a professional with a key of their own.",
    ),
    "no_baton_for_you": (
        "Ingen har gitt stafettpinnen til deg i denne loggen.",
        "Nobody has passed the baton to you in this log.",
    ),
    "consent_withdrawn": (
        "Alt samtykke er trukket tilbake: loggen kan leses og avsluttes, men ikke endres.",
        "All consent has been withdrawn: the log can be read and closed, but not changed.",
    ),
    "override_needs_why": (
        "--override krever --why: skriv hvorfor unntaket gjøres.",
        "--override needs --why: say why the exception is made.",
    ),
    "handover_needs_consent": (
        "Ingen gyldig samtykke dekker overføring til «{service}»; registrer samtykke for denne overgangen først.",
        "No active consent covers a handover to '{service}'; record consent for this transition first.",
    ),
    "bad_format": ("Formatet må være en av: {allowed}.", "The format must be one of: {allowed}."),
    "no_handover": (
        "Loggen har ingen overføring å eksportere; skriv en med «stafett handover».",
        "The log has no handover to export; write one with 'stafett handover'.",
    ),
    "bundle_too_large": (
        "Pakken er større enn stafett godtar.",
        "The bundle is larger than stafett accepts.",
    ),
    "not_a_bundle": (
        "Filen er ikke en kryptert stafett-pakke.",
        "The file is not an encrypted stafett bundle.",
    ),
    "bundle_not_for_you": (
        "Pakken er ikke kryptert til din nøkkel.",
        "The bundle is not encrypted to your key.",
    ),
    "bundle_corrupt": ("Pakken er avkortet eller skadet.", "The bundle is truncated or damaged."),
    "bundle_too_many_files": (
        "Pakken har flere filer enn stafett godtar.",
        "The bundle holds more files than stafett accepts.",
    ),
    "bundle_bad_path": (
        "Pakken har en fil med ulovlig sti ({file}).",
        "The bundle has a file with a forbidden path ({file}).",
    ),
    "bundle_not_a_file": (
        "Pakken har noe som ikke er en vanlig fil ({file}): lenker og enheter godtas ikke.",
        "The bundle holds something that is not a plain file ({file}): links and devices are refused.",
    ),
    "bundle_duplicate": (
        "Pakken har samme fil eller id to ganger ({file}).",
        "The bundle has the same file or id twice ({file}).",
    ),
    "bundle_sparse": (
        "Pakken har en glissen fil («sparse») ({file}), som stafett aldri skriver; pakken er avvist.",
        "The bundle holds a sparse file ({file}), which stafett never writes; the bundle is refused.",
    ),
    "bundle_tar_extension": (
        "Pakken bruker tar-utvidelser (PAX- eller GNU-hoder) som stafett aldri skriver; pakken er avvist.",
        "The bundle uses tar extensions (PAX or GNU headers) that stafett never writes; the bundle is refused.",
    ),
    "bundle_sizes_lie": (
        "Filene i pakken oppgir å være større enn hele pakken; den er skadet eller laget for å lure.",
        "The files in the bundle claim to be larger than the whole bundle; it is damaged or crafted to deceive.",
    ),
    "bundle_old_format": (
        "Pakken er laget med en eldre stafett; be avsenderen eksportere den på nytt med en oppdatert stafett.",
        "The bundle was made by an older stafett; ask the sender to export it again with a current stafett.",
    ),
    "bundle_no_manifest": ("Pakken mangler innholdslisten.", "The bundle has no manifest."),
    "bundle_bad_signature": (
        "Signaturen på pakken stemmer ikke; den kan være endret.",
        "The bundle's signature does not match; it may have been altered.",
    ),
    "bundle_unexpected_file": (
        "Pakken har en fil som ikke står i innholdslisten ({file}).",
        "The bundle has a file that is not in its manifest ({file}).",
    ),
    "bundle_hash_mismatch": (
        "Filen {file} i pakken stemmer ikke med kontrollsummen.",
        "The file {file} in the bundle does not match its checksum.",
    ),
    "bundle_incomplete": (
        "Pakken mangler barnets logg eller overføringen.",
        "The bundle lacks the child's log or the handover.",
    ),
    "bundle_already_imported": (
        "Pakken er allerede importert, som logg {log}.",
        "The bundle was already imported, as log {log}.",
    ),
    "unknown_report": (
        "Ukjent rapport. Velg en av: {allowed}.",
        "Unknown report. Choose one of: {allowed}.",
    ),
    "bad_within": (
        "Skriv tidsrommet som et antall dager eller uker, f.eks. 14d eller 2u.",
        "Write the period as a number of days or weeks, e.g. 14d or 2w.",
    ),
    "bad_stats_by": (
        "Statistikk kan deles etter: {allowed}.",
        "Statistics can be split by: {allowed}.",
    ),
    "bad_year": ("Året må være et firesifret årstall.", "The year must have four digits."),
    "bad_report_format": (
        "Ukjent format. Velg en av: {allowed}.",
        "Unknown format. Choose one of: {allowed}.",
    ),
    "handover_only_restricted": (
        "Alt som ble valgt etter type har begrenset lesergruppe ({count}: {ids}); nevn et dokument med kort id i --include for å ta det med.",
        "Everything chosen by kind has a restricted audience ({count}: {ids}); name a document by its short id in --include to include it.",
    ),
    "export_other_receiver": (
        "Overføring {handover} er til {receiver}, ikke til «{to}». Eksporter til mottakeren, eller bruk --other-receiver hvis den skal til «{to}».",
        "Handover {handover} is for {receiver}, not '{to}'. Export to its receiver, or use --other-receiver if it is meant for '{to}'.",
    ),
    "update_needs_card": (
        "Oppgi kortet (--card) eller signeringsnøkkelen (--signing-key).",
        "Give the card (--card) or the signing key (--signing-key).",
    ),
    "card_not_theirs": (
        "Kortet gjelder en annen nøkkel enn den «{handle}» er registrert med; ingenting er endret.",
        "The card is for another key than the one '{handle}' is registered with; nothing was changed.",
    ),
    "bad_signing_key": (
        "Signeringsnøkkelen må være en offentlig ssh-ed25519-nøkkel («ssh-ed25519 AAAA...»).",
        "The signing key must be an ssh-ed25519 public key ('ssh-ed25519 AAAA...').",
    ),
    "member_not_in_people": (
        "«{handle}» står ikke i personregisteret med samme nøkkel; gi kortet deres med --card.",
        "'{handle}' is not in the directory of people with the same key; give their card with --card.",
    ),
    "card_has_no_signing_key": (
        "Kortet til «{handle}» har ingen signeringsnøkkel. Be dem kjøre «stafett key show -o kort.yaml», og legg kortet til med «stafett people update {handle} --card kort.yaml» (eller gi det med --card).",
        "The card of '{handle}' has no signing key. Ask them to run 'stafett key show -o card.yaml', and add it with 'stafett people update {handle} --card card.yaml' (or give it with --card).",
    ),
    "member_unchanged": (
        "«{handle}» har allerede det kortet sier i medlemslisten; ingenting er endret.",
        "'{handle}' already has what the card says in the member list; nothing was changed.",
    ),
    "card_not_for_key": (
        "Kortet {file} ved siden av nøkkelen hører til en annen nøkkel.",
        "The card {file} beside the key belongs to another key.",
    ),
    "card_needs_name": (
        "Nøkkelen har ikke noe kort ved siden av seg og står ikke i personregisteret: oppgi --name og --title (og --service).",
        "The key has no card beside it and is not in the directory of people: give --name and --title (and --service).",
    ),
    "no_provenance": (
        "Loggen har ikke noe opphav (provenance); den er ikke importert fra en pakke.",
        "The log has no provenance; it was not imported from a bundle.",
    ),
}

NOTICES: dict[str, tuple[str, str]] = {
    "notice_own": (
        "Barnet har fylt {age} år: samtykket må fornyes med barnets eget samtykke.",
        "The child has turned {age}: the consent must be renewed with the child's own consent.",
    ),
    "notice_adult": (
        "Ungdommen har fylt {age} år og er myndig: samtykket må gis av ungdommen selv.",
        "The young person has turned {age} and is an adult: they must give consent themselves.",
    ),
    "notice_weight": (
        "Barnet er over {age} år: det barnet mener skal tillegges stor vekt og skrives ned (--child-said).",
        "The child is over {age}: what the child thinks must weigh heavily and be written down (--child-said).",
    ),
    "notice_heard": (
        "Barnet er over {age} år og skal høres før samtykket gis (--child-heard).",
        "The child is over {age} and must be heard before consent is given (--child-heard).",
    ),
}
