"""Settings of the benchmark's server process only: the product's settings plus bench/bench_urls.py."""

from tinhso.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
