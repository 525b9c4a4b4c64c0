"""Bad input: a plain sentence, a distinct exit code, and the log exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from stafett import crypto, yamlio
from stafett.errors import ExitCode
from tests.world import World

CONCERN = "Jørgen har slått en medelev og vil ikke si hvorfor når læreren spør."


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    world = World(tmp_path_factory.mktemp("errors"))
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("ola", "Ola Utenfor", "rådgiver", "PPT Bjørkly")
    world.init("nora")
    for handle in ("kari", "ola"):
        world.run("nora", "people", "add", str(world.card(handle)), "--handle", handle)
    log_id = world.open_log("nora", "Jørgen Ås", "2015-01-30", CONCERN, grade=5)
    world.consent("nora", log_id, "jørgen", "Bjørkly helsestasjon,PPT Bjørkly")
    world.run("nora", "member", "add", log_id[:6], "kari")
    measure = world.run(
        "nora",
        "--json",
        "measure",
        "add",
        log_id[:6],
        "--title",
        "Fast makker",
        "--goal",
        "Jørgen skal ha noen å gå til.",
        "--responsible",
        "kari",
        "--start",
        "2025-09-01",
        "--evaluate-by",
        "2025-10-01",
    ).json()["id"]
    return world.root, log_id, measure


@pytest.fixture
def case(template: tuple[Path, str, str], tmp_path: Path) -> tuple[World, str, str]:
    root, log_id, measure = template
    shutil.copytree(root, tmp_path / "w")
    world = World(tmp_path / "w")
    world.key_files = {p.stem: p for p in world.keys.glob("*.key")}
    return world, log_id, measure


def snapshot(world: World, log_id: str) -> tuple[str, str, dict[str, str]]:
    repo = world.log_dir(log_id)
    head = _git(repo, "rev-parse", "HEAD")
    status = _git(repo, "status", "--porcelain", "--untracked-files=all")
    files = {
        p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return head, status, files


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


BAD_INPUTS = [
    pytest.param(
        [
            "measure",
            "add",
            "{log}",
            "--title",
            "T",
            "--goal",
            "G",
            "--responsible",
            "kari",
            "--evaluate-by",
            "31.02.2025",
        ],
        ExitCode.USAGE,
        "Feltet «evaluate_by» må være en dato som 2025-09-22 eller 22.09.2025.",
        id="bad-date",
    ),
    pytest.param(
        ["member", "add", "{log}", "ingen"],
        ExitCode.NOT_FOUND,
        "Fant ingen person med kallenavnet «ingen» i personregisteret.",
        id="unknown-person",
    ),
    pytest.param(
        [
            "measure",
            "add",
            "{log}",
            "--title",
            "T",
            "--goal",
            "G",
            "--responsible",
            "ingen",
            "--start",
            "2025-09-01",
            "--evaluate-by",
            "2025-10-01",
        ],
        ExitCode.NOT_FOUND,
        "«ingen» er ikke medlem av loggen.",
        id="unknown-member",
    ),
    pytest.param(
        ["show", "zzzzzz"],
        ExitCode.NOT_FOUND,
        "Fant ingen logg med id som begynner på «zzzzzz».",
        id="unknown-log",
    ),
    pytest.param(
        ["measure", "evaluate", "{log}", "zzzz", "--result", "oppnådd", "--next", "fortsette"],
        ExitCode.NOT_FOUND,
        "Fant ingen tiltak med id som begynner på «zzzz».",
        id="unknown-measure",
    ),
    pytest.param(
        ["show", "ab"],
        ExitCode.USAGE,
        "«ab» er ingen gyldig referanse til logg: skriv minst 4 tegn av id-en.",
        id="too-short-reference",
    ),
    pytest.param(
        ["measure", "evaluate", "{log}", "{measure}", "--result", "kanskje", "--next", "fortsette"],
        ExitCode.USAGE,
        "Feltet «result» må være en av: oppnådd, delvis oppnådd, ikke oppnådd.",
        id="bad-choice",
    ),
    pytest.param(
        ["note", "add", "{log}", "   "],
        ExitCode.USAGE,
        "Feltet «text» kan ikke være tomt.",
        id="empty-text",
    ),
    pytest.param(
        ["level", "set", "{log}", "7", "--why", "Fordi."],
        ExitCode.USAGE,
        "Nivået finnes ikke i handlingsveilederen; gyldige nivåer er 0, 1, 2, 3.",
        id="bad-level",
    ),
    pytest.param(
        [
            "measure",
            "add",
            "{log}",
            "--title",
            "T",
            "--goal",
            "G",
            "--responsible",
            "kari",
            "--start",
            "2025-10-01",
            "--evaluate-by",
            "2025-09-01",
        ],
        ExitCode.USAGE,
        "Evalueringsdatoen kan ikke være før startdatoen.",
        id="evaluate-before-start",
    ),
    pytest.param(
        [
            "meeting",
            "add",
            "{log}",
            "--date",
            "2025-10-01",
            "--participants",
            "nora",
            "--child-present",
            "deler av møtet",
            "--minutes",
            "Kort møte.",
        ],
        ExitCode.USAGE,
        "Oppgi hvor mange minutter barnet var med (--child-minutes).",
        id="part-no-minutes",
    ),
    pytest.param(
        [
            "meeting",
            "add",
            "{log}",
            "--date",
            "2025-10-01",
            "--participants",
            "nora",
            "--child-present",
            "nei",
            "--minutes",
            "@finnes-ikke.txt",
        ],
        ExitCode.USAGE,
        "Fant ikke filen finnes-ikke.txt med referatet.",
        id="missing-minutes-file",
    ),
    pytest.param(
        ["member", "add", "{log}", "kari"],
        ExitCode.CONFLICT,
        "«kari» er allerede medlem av loggen.",
        id="already-member",
    ),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUTS)
def test_bad_input_leaves_the_log_unchanged(
    case: tuple[World, str, str], args: list[str], code: ExitCode, message: str
) -> None:
    world, log_id, measure = case
    before = snapshot(world, log_id)
    filled = [a.format(log=log_id[:6], measure=measure[:6]) for a in args]
    result = world.run("nora", *filled, code=int(code))
    assert result.err.strip() == message
    assert "Traceback" not in result.err
    assert snapshot(world, log_id) == before


def test_missing_option_is_a_usage_error(case: tuple[World, str, str]) -> None:
    world, log_id, _ = case
    before = snapshot(world, log_id)
    result = world.run("nora", "measure", "add", log_id[:6], "--title", "T", code=2)
    assert "--goal" in result.err
    assert snapshot(world, log_id) == before


def test_a_key_that_is_not_a_member_cannot_read_or_write(case: tuple[World, str, str]) -> None:
    world, log_id, _ = case
    before = snapshot(world, log_id)
    shown = world.run("ola", "show", log_id[:6], code=int(ExitCode.NO_ACCESS))
    assert shown.err.strip() == "Nøkkelen din kan ikke åpne log.yaml.age."
    written = world.run("ola", "note", "add", log_id[:6], "Hei.", code=int(ExitCode.NO_ACCESS))
    assert written.err.strip() == "Nøkkelen din kan ikke åpne log.yaml.age."
    assert world.run("ola", "list").out.strip() == "Ingen logger."
    assert snapshot(world, log_id) == before


def test_only_the_coordinator_adds_members(case: tuple[World, str, str]) -> None:
    world, log_id, _ = case
    before = snapshot(world, log_id)
    result = world.run("kari", "member", "add", log_id[:6], "ola", code=int(ExitCode.NO_ACCESS))
    assert result.err.strip() == "Bare stafettholderen kan gjøre dette."
    assert snapshot(world, log_id) == before


def _commit_file(world: World, log_id: str, rel: str, data: bytes) -> None:
    """Damage as the coordinator's own signed commit: the rights model lets her
    change any document, so what is left to catch is the damage itself."""
    world.commit_foreign(log_id, {rel: data}, signer="nora", message="tamper")


def _recipients(world: World) -> list[str]:
    return [world.identity(h).recipient for h in ("nora", "kari", "recovery")]


def _tampered(world: World, log_id: str, rel: str, data: bytes, message: str) -> None:
    _commit_file(world, log_id, rel, data)
    before = snapshot(world, log_id)
    shown = world.run("nora", "show", log_id[:6])
    assert shown.err.strip().startswith(f"Hoppet over {rel} i logg {log_id[:7]}: {message} ")
    verified = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID))
    assert message in verified.out
    assert snapshot(world, log_id) == before


def test_corrupt_file(case: tuple[World, str, str]) -> None:
    world, log_id, measure = case
    rel = f"measure/{measure}.yaml.age"
    data = bytearray((world.log_dir(log_id) / rel).read_bytes())
    data[-20] ^= 0xFF
    _tampered(world, log_id, rel, bytes(data), f"Filen {rel} er ødelagt og kan ikke dekrypteres.")


def test_plaintext_where_ciphertext_belongs(case: tuple[World, str, str]) -> None:
    world, log_id, measure = case
    rel = f"measure/{measure}.yaml.age"
    _tampered(
        world,
        log_id,
        rel,
        b"kind: measure\ntitle: Fast makker\n",
        f"Filen {rel} er ikke kryptert med age, men skulle vært det.",
    )


def test_schema_violation_names_the_field_not_the_value(case: tuple[World, str, str]) -> None:
    world, log_id, measure = case
    rel = f"measure/{measure}.yaml.age"
    plain = crypto.decrypt((world.log_dir(log_id) / rel).read_bytes(), world.identity("nora"))
    data = yamlio.load(plain)
    data["status"] = "hemmelig-verdi"
    bad = crypto.encrypt(yamlio.dump(data).encode(), _recipients(world))
    _tampered(world, log_id, rel, bad, f"Feltet «status» i {rel} har en ugyldig verdi.")


def test_a_document_moved_to_another_id_is_detected(case: tuple[World, str, str]) -> None:
    world, log_id, measure = case
    source = world.log_dir(log_id) / f"measure/{measure}.yaml.age"
    other = "0" * 20
    rel = f"measure/{other}.yaml.age"
    _tampered(
        world,
        log_id,
        rel,
        source.read_bytes(),
        f"Filen {rel} ligger ikke der id-en og typen sier; den kan være flyttet eller byttet.",
    )


def test_english_messages_and_debug_traceback(case: tuple[World, str, str]) -> None:
    world, _, _ = case
    english = world.run("nora", "--lang", "en", "show", "zzzzzz", code=int(ExitCode.NOT_FOUND))
    assert english.err.strip() == "No log has an id starting with 'zzzzzz'."
    debug = world.run("nora", "--debug", "show", "zzzzzz", code=int(ExitCode.NOT_FOUND))
    assert "Traceback" in debug.err


def test_key_and_people_are_never_overwritten(case: tuple[World, str, str]) -> None:
    world, _, _ = case
    key = world.key_files["nora"]
    before = key.read_bytes()
    result = world.run(
        None,
        "--identity",
        str(key),
        "key",
        "new",
        "--no-passphrase",
        "--name",
        "Ny",
        "--role",
        "lærer",
        code=int(ExitCode.CONFLICT),
    )
    assert "finnes allerede; en nøkkel blir aldri overskrevet." in result.err
    assert key.read_bytes() == before
    people = (world.store_path / "people.yaml").read_bytes()
    again = world.run(
        "nora",
        "people",
        "add",
        str(world.card("kari")),
        "--handle",
        "kari",
        code=int(ExitCode.CONFLICT),
    )
    assert again.err.strip() == "Kallenavnet «kari» er allerede i bruk."
    assert (world.store_path / "people.yaml").read_bytes() == people
