"""A folder of logs: store.yaml, people.yaml and one git repository per child."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from stafett import crypto, ids, yamlio
from stafett.clock import SYSTEM, Clock
from stafett.create import create_log
from stafett.crypto import Identity
from stafett.errors import Conflict, NoAccess, NotFound, StafettError, UsageError
from stafett.fsutil import STORE_LOCK, locked, write_text_atomic
from stafett.keys import Passphrase, load_identity
from stafett.log import Damaged, Log
from stafett.people import Card, add_person, load_people, person_by_recipient
from stafett.reports import Report, ReportArgs, run_report
from stafett.schema import validate
from stafett.settings import STORE_FILE, STORE_LANGUAGES, StoreSettings
from stafett.snapshot import Readers
from stafett.trust import Verified, default_state_path

if TYPE_CHECKING:
    from stafett.sync import Synced

LOGS_DIR = "logs"


class Logs:
    """Every log the caller can read, one at a time, so memory stays flat however
    many logs there are. After the loop, `skipped` counts the logs not meant for the
    caller and `damaged` those that could not be read at all; neither stops the loop.
    """

    def __init__(self, store: Store, log_ids: list[str]) -> None:
        self._store = store
        self._ids = iter(log_ids)
        self.total = len(log_ids)
        self.skipped = 0
        self.damaged = 0

    def __iter__(self) -> Logs:
        return self

    def __next__(self) -> Log:
        while True:
            log = Log(self._store, next(self._ids))
            try:
                log.profile()
            except NoAccess:
                self.skipped += 1
                continue
            except StafettError:
                self.damaged += 1
                continue
            return log


class Store:
    """Entry point of the Python API: `Store.open(path, identity=...)`."""

    def __init__(
        self,
        root: Path,
        settings: StoreSettings,
        identity: Identity | Callable[[], Identity] | None,
        clock: Clock = SYSTEM,
        state: Path | None = None,
    ) -> None:
        self.root = root
        self.settings = settings
        self.clock = clock
        self.state = state
        self._verified: Verified | None = None
        self._identity = identity
        self._people: list[Card] | None = None
        # Documents skipped because they are damaged, for the caller to report.
        self.damaged: list[Damaged] = []
        self.readers = Readers()

    @classmethod
    def init(
        cls,
        root: Path | str,
        *,
        municipality: str,
        recovery: str,
        language: str = "nb",
        retention_years: int = 10,
        identity: Identity | None = None,
        card: Card | None = None,
        clock: Clock = SYSTEM,
    ) -> Store:
        """Create a store; with the caller's card, the caller is its first person."""
        root = Path(root).expanduser()
        if (root / STORE_FILE).exists():
            raise Conflict("store_exists", file=str(root))
        if language not in STORE_LANGUAGES:
            raise UsageError("bad_language")
        settings = StoreSettings(
            municipality=municipality.strip(),
            recovery=crypto.check_recipient(recovery),
            language=language,
            retention_years=retention_years,
        )
        data = yamlio.jsonable(settings.to_data())
        validate("store", data, STORE_FILE)
        (root / LOGS_DIR).mkdir(parents=True, exist_ok=True)
        write_text_atomic(root / STORE_FILE, yamlio.dump(settings.to_data()))
        store = cls(root, settings, identity, clock)
        if card is not None:
            store.add_person(card)
        return store

    @classmethod
    def open(
        cls,
        root: Path | str,
        identity: Identity | Callable[[], Identity] | Path | str | None = None,
        passphrase: Passphrase = None,
        clock: Clock = SYSTEM,
        state: Path | str | None = None,
    ) -> Store:
        """Open a store; `identity` is a key file, an Identity, or a callable giving one
        when first needed (the CLI passes one, so commands that need no key ask none).
        `clock` is where every "today" of this store comes from (stafett.clock.at).
        `state` is the caller's own folder where the last verified head of each log
        is kept (default: the user's state folder)."""
        root = Path(root).expanduser()
        path = root / STORE_FILE
        if not path.is_file():
            raise NotFound("store_missing", file=str(root))
        data = yamlio.load(path.read_bytes(), name=STORE_FILE)
        validate("store", yamlio.jsonable(data), STORE_FILE)
        if isinstance(identity, (str, Path)):
            identity = load_identity(Path(identity).expanduser(), passphrase)
        where = Path(state).expanduser() if state is not None else None
        return cls(root, StoreSettings.from_data(data), identity, clock, where)

    def sibling(self) -> Store:
        """The same store, key and state for another thread: its own git readers
        and its own list of damaged documents."""
        return Store(self.root, self.settings, self.identity, self.clock, self.state)

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            raise NoAccess("identity_needed")
        if not isinstance(self._identity, Identity):
            self._identity = self._identity()
        return self._identity

    @property
    def verified(self) -> Verified:
        """What this caller verified of each log, by their key."""
        if self._verified is None:
            root = self.state if self.state is not None else default_state_path()
            self._verified = Verified(root, self.identity.recipient)
        return self._verified

    def unlock(self) -> Identity:
        """Open the caller's key now: a key that cannot be opened is then an error,
        not a store whose every log looks "not for you"."""
        return self.identity

    def people(self) -> list[Card]:
        if self._people is None:
            self._people = load_people(self.root)
        return self._people

    def add_person(self, card: Card, handle: str | None = None) -> Card:
        added = add_person(self.root, card, handle)
        self._people = None
        return added

    def update_person(
        self, handle: str, *, card: Card | None = None, signing_key: str | None = None
    ) -> Card:
        """Attach a signing key, or a card's key, name, title and service, to the
        person `handle` in people.yaml; the card's recipient must be theirs."""
        from stafett.people import update_person

        try:
            return update_person(self.root, handle, card=card, signing_key=signing_key)
        finally:
            self._people = None

    def me(self) -> Card:
        """The caller's card in people.yaml, found by their public key."""
        card = person_by_recipient(self.people(), self.identity.recipient)
        if card is None:
            raise NotFound("you_not_in_people")
        return card

    def log_ids(self) -> list[str]:
        folder = self.root / LOGS_DIR
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if ids.is_id(p.name) and p.is_dir())

    def log_at(self, log_id: str, path: Path | None = None) -> Log:
        """A log by its full id, at its place or (while it is built) elsewhere."""
        return Log(self, log_id, path)

    def log(self, ref: str) -> Log:
        return Log(self, ids.resolve(ref, self.log_ids(), "log"))

    def logs(self) -> Logs:
        """Every log the caller can read; the others are skipped and counted. A key
        that cannot be opened is an error here, not a store of logs all skipped."""
        self.unlock()
        return Logs(self, self.log_ids())

    def report(self, name: str, **args: Unpack[ReportArgs]) -> Report:
        """One of the batch reports (due, transitions, consent, retention, stats)
        over every log the caller can read; see stafett.reports.ReportArgs."""
        return run_report(self, name, **args)

    def set_remote_prefix(self, prefix: str) -> None:
        """store.yaml's `remote`: where each log without a remote of its own syncs."""
        with locked(self.root / STORE_LOCK, "store_locked"):
            settings = replace(self.settings, remote=prefix.strip())
            data = settings.to_data()
            validate("store", yamlio.jsonable(data), STORE_FILE)
            write_text_atomic(self.root / STORE_FILE, yamlio.dump(data))
            self.settings = settings

    def clone(self, url: str) -> Log:
        """Join a log you are a member of from its remote (see stafett.sync)."""
        from stafett.sync import clone

        return clone(self, url)

    def sync_all(
        self, progress: Callable[[int, int], None] | None = None, workers: int = 4
    ) -> list[Synced]:
        """Sync every log; one that fails is reported in its result, not raised."""
        from stafett.sync import sync_many

        return sync_many(self, self.log_ids(), progress, workers)

    def find(self, text: str) -> list[Log]:
        wanted = text.strip().casefold()
        if not wanted:
            raise UsageError("empty_field", field="text")
        return [log for log in self.logs() if wanted in log.profile().child.name.casefold()]

    def open_log(
        self,
        *,
        child_name: str,
        born: date | str,
        school: str,
        grade: int,
        concern: str | None = None,
        level: int = 0,
        national_id: str | None = None,
        language: str | None = None,
        child_handle: str | None = None,
    ) -> Log:
        return create_log(
            self,
            child_name=child_name,
            born=born,
            school=school,
            grade=grade,
            concern=concern,
            level=level,
            national_id=national_id,
            language=language,
            child_handle=child_handle,
        )
