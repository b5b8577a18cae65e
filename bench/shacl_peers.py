"""SHACL on a small corpus: ``converter.validate`` per report against pySHACL over the whole corpus at
once and pyshacl-turbo per report (``--only shacl``; bench/shacl.py measures the engines at scale).

On the first reports of the first large corpus's first shard; pySHACL over the union graph runs in
a subprocess with a time limit (it grows faster than linearly); pyshacl-turbo and pySHACL are also
compared on the seeds, as they are and with three counts broken, for the same verdict.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from bench.harness import BASE, ROOT, WORK, Run, Target, fmt, py, run_measured, shards

PYSHACL_WHOLE = """
import json, sys, time
import pyshacl
from rdflib import Dataset, Graph
from converter.validate import shapes_graph
shapes = shapes_graph()
d = Dataset(); d.parse(sys.argv[1], format="nquads")
union = Graph()
for s, p, o, _ in d.quads((None, None, None, None)):
    union.add((s, p, o))
t = time.perf_counter()
conforms, _, _ = pyshacl.validate(union, shacl_graph=shapes, advanced=True, inference="none")
print(json.dumps({"seconds": time.perf_counter() - t, "conforms": bool(conforms), "triples": len(union)}))
"""


def measure(run: Run) -> dict[str, Any]:
    return measure_corpus(run.bigs[run.ns[0]], k_corpus=[1, 2, 4], k_reports=20)


def measure_corpus(folder: Path, k_corpus: list[int], k_reports: int, shacl_limit: int = 150) -> dict[str, Any]:
    import pyoxigraph as ox
    import pyshacl
    from rdflib import Dataset, Graph

    from converter import validate as v
    from converter.emit import emit_report, new_dataset
    from converter.output import sorted_nquads
    from converter.pipeline import convert_file

    out: dict[str, Any] = {}
    first = shards(folder)[0]
    quads = list(ox.parse(path=str(first), format=ox.RdfFormat.N_QUADS))
    graphs = sorted({q.graph_name.value for q in quads})[:k_reports]
    keep = set(graphs)
    subset = [q for q in quads if q.graph_name.value in keep]
    sub_file = WORK / f"shacl-{k_reports}.nq"
    ox.serialize(subset, str(sub_file), ox.RdfFormat.N_QUADS)
    v.shapes_graph()
    start = time.perf_counter()
    outcome = v.validate_file(sub_file)
    per_report = (time.perf_counter() - start) / k_reports
    out["validate_py"] = {
        "reports": k_reports,
        "per_report_s": per_report,
        "conforms": outcome.conforms,
        "violations": len(outcome.violations),
    }

    # pySHACL over the whole small corpus at once (one rdflib graph, the union), in a subprocess
    # with a time limit: it grows faster than linearly
    out["pyshacl_whole"] = []
    for k in k_corpus:
        corpus_file = WORK / f"shacl-whole-{k}.nq"
        ox.serialize(
            [q for q in subset if q.graph_name.value in set(graphs[:k])], str(corpus_file), ox.RdfFormat.N_QUADS
        )
        try:
            _, _, text = run_measured(["timeout", str(shacl_limit), *py(PYSHACL_WHOLE, str(corpus_file))], cwd=ROOT)
            out["pyshacl_whole"].append({"reports": k, **json.loads(text)})
        except RuntimeError:
            out["pyshacl_whole"].append({"reports": k, "seconds": None, "limit": shacl_limit})
            break

    # pyshacl-turbo, per report from a pyoxigraph Store, and on the seeds with an injected fault
    try:
        import pyshacl_turbo
    except ImportError:
        out["turbo"] = None
        return out
    by_graph: dict[str, list[Any]] = {}
    for q in subset:
        by_graph.setdefault(q.graph_name.value, []).append(ox.Quad(q.subject, q.predicate, q.object))
    start = time.perf_counter()
    turbo_ok = True
    try:
        for g in graphs:
            st = ox.Store()
            st.extend(by_graph[g])
            c, _, _ = pyshacl_turbo.validate(st, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
            turbo_ok = turbo_ok and bool(c)
        out["turbo"] = {
            "reports": len(graphs),
            "per_report_s": (time.perf_counter() - start) / len(graphs),
            "conforms": turbo_ok,
        }
    except Exception as exc:  # noqa: BLE001
        out["turbo"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    # identical results on the seeds (and a seed with a broken count)
    seeds = sorted((ROOT / "data" / "seeds").glob("*.txt"))
    same = []
    for seed in seeds:
        ds = new_dataset()
        emit_report(convert_file(seed), BASE, ds)
        for fault in (False, True):
            text = sorted_nquads(ds).decode()
            if fault:
                text = re.sub(
                    r'("\d+"\^\^<http://www.w3.org/2001/XMLSchema#integer>)',
                    '"-5"^^<http://www.w3.org/2001/XMLSchema#integer>',
                    text,
                    count=3,
                )
            d = Dataset()
            d.parse(data=text, format="nquads")
            data = Graph()
            for s, p, o, _ in d.quads((None, None, None, None)):
                data.add((s, p, o))
            a = pyshacl.validate(data, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
            try:
                b = pyshacl_turbo.validate(data, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
                same.append((bool(a[0]) == bool(b[0]), _n_results(a[1]) == _n_results(b[1]), fault))
            except Exception as exc:  # noqa: BLE001
                same.append((False, False, f"{type(exc).__name__}"))
    out["turbo_same"] = same
    return out


def _n_results(report: Any) -> int:
    from rdflib.namespace import RDF, SH

    return len(set(report.subjects(RDF.type, SH.ValidationResult)))


def render(res: dict[str, Any]) -> list[str]:
    """The validators' table of ``res["shacl"]`` and whether turbo and pySHACL agree."""
    if "shacl" not in res:
        return []
    s = res["shacl"]
    vp = s["validate_py"]
    lines = [
        "### SHACL",
        "",
        "| validator | reports | s per report | reports/s | extrapolated 10^5 reports (1 core) | conforms |",
        "|---|---|---|---|---|---|",
        f"| converter/validate.py (pySHACL per report on a pyoxigraph store) | {vp['reports']} | {fmt(vp['per_report_s'], 3)} | "
        f"{fmt(1 / vp['per_report_s'], 1)} | {fmt(vp['per_report_s'] * 1e5 / 3600, 1)} h | {vp['conforms']} |",
    ]
    for pw in s["pyshacl_whole"]:
        if pw.get("seconds") is None:
            lines.append(
                f"| pySHACL over the whole corpus (one rdflib graph) | {pw['reports']} | > {pw['limit'] / pw['reports']:.0f} | - | "
                f"(stopped after {pw['limit']} s) | - |"
            )
            continue
        per = pw["seconds"] / pw["reports"]
        lines.append(
            f"| pySHACL over the whole corpus (one rdflib graph, {pw['triples']:,} triples) | {pw['reports']} | "
            f"{fmt(per, 3)} | {fmt(1 / per, 2)} | ≥ {fmt(per * 1e5 / 3600, 1)} h (grows faster than linearly) | {pw['conforms']} |"
        )
    t = s.get("turbo")
    if t and "error" not in t:
        lines.append(
            f"| pyshacl-turbo per report (pyoxigraph Store) | {t['reports']} | {fmt(t['per_report_s'], 3)} | "
            f"{fmt(1 / t['per_report_s'], 1)} | {fmt(t['per_report_s'] * 1e5 / 3600, 2)} h | {t['conforms']} |"
        )
    elif t:
        lines.append(f"| pyshacl-turbo | - | - | - | - | failed: {t['error']} |")
    if s.get("turbo_same"):
        agree = sum(1 for a, b, _ in s["turbo_same"] if a and b)
        lines += [
            "",
            f"pyshacl-turbo vs pySHACL on the seeds (each as is and with three counts set to -5): same conforms "
            f"and same number of results in {agree}/{len(s['turbo_same'])} cases.",
        ]
    lines.append("")
    return lines


def targets(res: dict[str, Any]) -> list[Target]:
    """None: the SHACL targets are bench/shacl.py's."""
    return []
