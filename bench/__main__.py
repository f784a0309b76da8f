"""Run the benchmarks: `python -m bench` runs all, `python -m bench geocoding calendar` some."""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django

from bench.harness import Harness, machine, write_results


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    os.environ.setdefault("DEBUG", "1")
    data_dir = Path(os.environ.setdefault("TINHSO_DATA_DIR", str(Path("var/bench").resolve())))
    data_dir.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    here = Path(__file__).parent
    names = [m.name[len("bench_") :] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")]
    wanted = argv or sorted(names)
    unknown = set(wanted) - set(names)
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(names))}")
        return 2
    print("Machine:", ", ".join(f"{k}={v}" for k, v in machine().items()))
    harnesses = []
    for name in wanted:
        print(f"\n== {name} ==")
        harness = Harness(name)
        importlib.import_module(f"bench.bench_{name}").run(harness)
        harnesses.append(harness)
    out = Path("var/bench/results.json")
    write_results(harnesses, out)
    print(f"\nResults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
