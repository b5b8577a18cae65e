"""Benchmarks against peers measured in the same run; writes bench/RESULTS.md (``make bench``).

``python -m bench.run [-n 1000,10000] [--small 200] [--duration 5] [--only http,load,...] [--report-only]``

The entry point only: the harness is bench/harness.py (the command line, corpora, servers, wrk,
the raw numbers in ``build/bench/results.json`` and the sections of RESULTS.md), and each
benchmark is a module of its own: bench/load.py, bench/dump.py, bench/sparql_http.py,
bench/aggregate.py, bench/convert.py, bench/shacl_peers.py. Notes: bench/notes/*.md.
"""

from __future__ import annotations

from bench.harness import main

if __name__ == "__main__":
    main()
