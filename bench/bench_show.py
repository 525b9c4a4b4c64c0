"""`stafett show` on a log with 500 documents, and `stafett --help`."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compile_package, make_store, median, ms, stafett_cmd, stafett_env, timed

DOCUMENTS = 500
GOAL = "Åse skal oppleve at hun mestrer lesing i små grupper, og gruer seg mindre."
DESCRIPTION = "Lesegruppe med tre elever tre ganger i uka, ledet av spesialpedagog."
RUNS = 7


def fill(log: object, count: int) -> None:
    from stafett import Log

    assert isinstance(log, Log)
    start = date(2025, 1, 6)
    measures = []
    for i in range(count):
        day = start + timedelta(days=i % 300)
        if i % 5 == 0:
            measures.append(
                log.add_measure(
                    title=f"Tiltak nummer {i} for lesing og trivsel",
                    goal=GOAL,
                    description=DESCRIPTION,
                    responsible="nora",
                    start=day,
                    evaluate_by=day + timedelta(days=42),
                )
            )
        elif i % 5 == 1 and measures:
            log.evaluate_measure(
                measures[-1].id,
                result="delvis oppnådd",
                next="fortsette",
                when=day,
                child_said="Det er litt lettere nå enn før jul.",
            )
        elif i % 5 == 2:
            log.add_voice(
                "Jeg liker best når vi leser sammen og ingen ler.", how="i samtale", when=day
            )
        else:
            log.add_note("Kort notat fra skoledagen: " + "rolig dag, god lunsj, fin gymtime. " * 8)


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        fill(log, DOCUMENTS)
        cold = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        warm = {**stafett_env(root, key), "STAFETT_AGENT_DIR": str(root / "agent")}
        show = stafett_cmd("show", log.short_id)
        shows = [timed(show, cold) for _ in range(RUNS)]
        helps = [timed(stafett_cmd("--help"), cold) for _ in range(RUNS)]
        subprocess.run(stafett_cmd("agent", "start"), env=warm, capture_output=True, check=True)
        try:
            warm_shows = [timed(show, warm) for _ in range(RUNS)]
        finally:
            subprocess.run(stafett_cmd("agent", "stop"), env=warm, capture_output=True)
        docs = len(list((root / "store" / "logs" / log.id).rglob("*.age")))
        print(
            f"stafett show, {docs} encrypted files, cold:  median {ms(median(shows))}"
            f" over {RUNS} runs (goal <= 1 s now, 0.3 s later)"
        )
        print(
            f"stafett show, {docs} encrypted files, agent: median {ms(median(warm_shows))}"
            f" over {RUNS} runs"
        )
        print(f"stafett --help: median {ms(median(helps))} over {RUNS} runs (goal <= 150 ms)")


if __name__ == "__main__":
    main()
