"""`stafett verify` on a log of 300 commits by three members, and what the check of
history costs a read: `show` with the verified head cached, and the first `show`
of a user who has never verified the log (every commit checked)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    compile_package,
    consented_person,
    make_store,
    median,
    ms,
    stafett_cmd,
    stafett_env,
    state_path,
    timed,
)

COMMITS = 300
RUNS = 7


def fill(root: Path, log: object) -> int:
    from stafett import Log, Store

    assert isinstance(log, Log)
    consented_person(root, log, "kari", "helsesykepleier", "Bjørkly helsestasjon")
    log.add_member("kari")
    kari = Store.open(root / "store", identity=root / "kari.key", state=state_path(root))
    theirs = kari.log(log.id)
    measure = log.add_measure(
        title="Lesegruppe", goal="Åse leser med glede.", responsible="kari",
        start="2025-09-01", evaluate_by="2025-10-15",
    )  # fmt: skip
    made = 4
    while made < COMMITS:
        if made % 3 == 0:
            theirs.add_note("Åse var med i lesegruppa i dag, og ville lese høyt.")
        elif made % 3 == 1:
            log.add_voice("Det er greit å lese når ingen ler.", how="i samtale")
        else:
            theirs.evaluate_measure(measure.id, result="delvis oppnådd", next="fortsette")
        made += 1
    return made


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        commits = fill(root, log)
        env = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        verify = [timed(stafett_cmd("verify", log.short_id), env) for _ in range(RUNS)]
        show = stafett_cmd("show", log.short_id)
        cached = [timed(show, env) for _ in range(RUNS)]
        first = []
        for _ in range(RUNS):
            shutil.rmtree(state_path(root) / "verified")
            first.append(timed(show, env))
        print(f"stafett verify, {commits} commits: median {ms(median(verify))} (goal < 1 s)")
        print(f"stafett show, head verified before: median {ms(median(cached))}")
        print(f"stafett show, every commit checked:  median {ms(median(first))}")


if __name__ == "__main__":
    main()
