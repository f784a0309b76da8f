"""A small harness every module's benchmark uses.

A benchmark module `bench/bench_<name>.py` defines `run(h: Harness) -> None` and
measures each operation next to a bare baseline computed in the same run (a
brute-force or naive version of the same work), so the numbers can be compared
on any machine. Timing is reported, never asserted.
"""

import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

_DONE = object()


@dataclass
class Result:
    benchmark: str
    case: str
    n: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    baseline_of: str = ""
    note: str = ""


@dataclass
class Harness:
    name: str
    results: list[Result] = field(default_factory=list)

    def measure(
        self,
        case: str,
        operation: Callable[[object], object],
        inputs: Iterable[object],
        *,
        baseline_of: str = "",
        note: str = "",
    ) -> Result:
        """Call `operation` once per input, timing each call; record throughput and latency percentiles."""
        timings = []
        started = time.perf_counter()
        for item in inputs:
            t0 = time.perf_counter()
            operation(item)
            timings.append(time.perf_counter() - t0)
        total = time.perf_counter() - started
        return self._record(case, timings, total, len(timings), baseline_of, note)

    def measure_batch(
        self,
        case: str,
        operation: Callable[[], object],
        n_items: int,
        *,
        repeat: int = 5,
        baseline_of: str = "",
        note: str = "",
    ) -> Result:
        """Time a whole batch `repeat` times; latencies are per batch, throughput per item."""
        timings = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            operation()
            timings.append(time.perf_counter() - t0)
        return self._record(case, timings, sum(timings), n_items * repeat, baseline_of, note)

    def measure_concurrent(
        self,
        case: str,
        operation: Callable[[object], object],
        inputs: Iterable[object],
        *,
        clients: int,
        max_seconds: float | None = None,
        baseline_of: str = "",
        note: str = "",
    ) -> Result:
        """Call `operation` once per input from `clients` threads at once (stop taking inputs after
        `max_seconds`); latency is per call, throughput is calls over the wall-clock time."""
        pending = iter(inputs)
        lock = threading.Lock()
        timings: list[float] = []
        deadline = time.perf_counter() + max_seconds if max_seconds else None

        def client() -> None:
            while deadline is None or time.perf_counter() < deadline:
                with lock:
                    item = next(pending, _DONE)
                if item is _DONE:
                    return
                t0 = time.perf_counter()
                operation(item)
                elapsed = time.perf_counter() - t0
                with lock:
                    timings.append(elapsed)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = time.perf_counter() - started
        return self._record(case, timings, total, len(timings), baseline_of, note)

    def _record(self, case, timings, total, n_items, baseline_of, note) -> Result:
        ordered = sorted(timings)
        p95_index = max(0, round(0.95 * len(ordered)) - 1)
        result = Result(
            benchmark=self.name,
            case=case,
            n=n_items,
            seconds=round(total, 4),
            per_second=round(n_items / total, 1) if total else float("inf"),
            p50_ms=round(statistics.median(ordered) * 1000, 4),
            p95_ms=round(ordered[p95_index] * 1000, 4),
            baseline_of=baseline_of,
            note=note,
        )
        self.results.append(result)
        print(
            f"  {case:<48} n={result.n:>9}  {result.per_second:>12.1f}/s  "
            f"p50={result.p50_ms:>9.3f} ms  p95={result.p95_ms:>9.3f} ms"
            + (f"  (baseline of {baseline_of})" if baseline_of else "")
        )
        return result


def machine() -> dict[str, str]:
    """Describe the machine the numbers come from."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "database": os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1],
    }


def write_results(harnesses: list[Harness], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": [asdict(r) for h in harnesses for r in h.results],
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
