"""``gongkai load``: one graph per report, replace-not-duplicate, the vocabulary graph, and the
release scheme that keeps a served store complete (``endpoint.load``, ``endpoint.release``)."""

from __future__ import annotations

import fcntl
import gzip
import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, QuerySolutions, RdfFormat, Store, parse, serialize
from typer.testing import CliRunner

from converter.vocab import VOCAB_GRAPH
from endpoint import load as load_module
from endpoint.cli import app as cli
from endpoint.load import LoadError, load, vocabulary_files
from endpoint.release import KEEP_RELEASES, current_release, recorded_base_url, releases_dir

SAMPLE = Path(__file__).resolve().parents[1] / "e2e" / "data" / "sample-reports.nq"
BASE = "http://localhost:8000"
REPORT_2020 = f"{BASE}/id/report/shilishi-yangbenqu-renminzhengfu-9203/2020"
REPORT_2021 = f"{BASE}/id/report/shilishi-jiaoyuju-285c/2021"
COUNT = "https://w3id.org/gongkai/def#count"
AGGREGATES = f"{BASE}/id/dataset/aggregates"  # endpoint.aggregates.compute_aggregates


def quads(store_path: Path, graph: str | None = None) -> set[str]:
    store = Store.read_only(str(store_path.resolve()))
    g = NamedNode(graph) if graph else None
    return {str(q) for q in store.quads_for_pattern(None, None, None, g)}


def graphs(store_path: Path) -> set[str]:
    return {g.value for g in Store.read_only(str(store_path.resolve())).named_graphs()}


def edited_sample(tmp_path: Path, old: str, new: str) -> Path:
    """The sample with one line's text replaced (e.g. a changed cell value)."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / "edited.nq"
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


def test_vocabulary_files_are_the_repo_ontology() -> None:
    files = vocabulary_files()
    assert files, "ontology/*.ttl not found"
    assert all(f.parent.name == "ontology" and f.suffix == ".ttl" for f in files)
    assert any(f.name == "gongkai.ttl" for f in files)


def test_one_graph_per_report_plus_vocabulary(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = load([SAMPLE], store, base_url=BASE)
    assert not result.failures
    assert result.graphs_replaced == 2
    assert graphs(store) == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}
    assert (
        not quads(store, None)
        - quads(store, REPORT_2020)
        - quads(store, REPORT_2021)
        - quads(store, VOCAB_GRAPH)
        - quads(store, AGGREGATES)
    )
    # every sample line is in the store, in its own graph
    sample = {str(q) for q in parse(path=str(SAMPLE), format=RdfFormat.N_QUADS)}
    assert sample <= quads(store)
    vocab = Store.read_only(str(store.resolve())).query(
        f"ASK {{ GRAPH <{VOCAB_GRAPH}> {{ ?c a <http://www.w3.org/2004/02/skos/core#Concept> }} }}"
    )
    assert bool(vocab)


def test_loading_twice_never_duplicates(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = load([SAMPLE], store).quads
    before = quads(store)
    second = load([SAMPLE, SAMPLE], store).quads
    assert first == second == len(before)
    assert quads(store) == before


def test_a_report_loaded_again_replaces_its_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load([SAMPLE], store)
    other_before = quads(store, REPORT_2021)
    old = f'<{REPORT_2020}/table3/1/natural-person> <{COUNT}> "12"'
    edited = edited_sample(tmp_path, old, f'<{REPORT_2020}/table3/1/natural-person> <{COUNT}> "13"')
    # the edited file holds only the 2020 report
    only_2020 = tmp_path / "only-2020.nq"
    only_2020.write_text(
        "".join(
            line + "\n" for line in edited.read_text(encoding="utf-8").splitlines() if f"<{REPORT_2020}> ." in line
        ),
        encoding="utf-8",
    )
    load([only_2020], store)
    now = quads(store, REPORT_2020)
    assert not any(q.startswith(old) for q in now)
    assert any('/table3/1/natural-person> <https://w3id.org/gongkai/def#count> "13"' in q for q in now)
    assert quads(store, REPORT_2021) == other_before  # untouched


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load([SAMPLE], store)
    before = quads(store)
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> \n", encoding="utf-8")
    default_graph = tmp_path / "triples.nq"
    default_graph.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    turtle = tmp_path / "report.ttl"
    turtle.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    result = load([broken, default_graph, turtle], store)
    assert [p.name for p, _ in result.failures] == ["broken.nq", "triples.nq", "report.ttl"]
    reasons = {p.name: why for p, why in result.failures}
    assert "outside any named graph" in reasons["triples.nq"]
    assert ".nq or .trig" in reasons["report.ttl"]
    assert "\n" not in "".join(reasons.values())
    assert quads(store) == before  # nothing loadable: the store did not change


def test_folders_and_gzip_and_trig(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with gzip.open(folder / "a.nq.gz", "wb") as fh:
        fh.write(SAMPLE.read_bytes())
    ds = list(parse(path=str(SAMPLE), format=RdfFormat.N_QUADS))
    serialize(ds, str(folder / "b.trig"), RdfFormat.TRIG)
    (folder / "notes.txt").write_text("not data", encoding="utf-8")
    result = load([folder], tmp_path / "store")
    assert sorted(p.name for p in result.files_loaded) == ["a.nq.gz", "b.trig"]
    assert graphs(tmp_path / "store") == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}


# ---------------------------------------------------------------------------------------------
# Releases: the served store is never damaged


def test_store_is_a_symlink_to_a_complete_release(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = load([SAMPLE], store)
    assert store.is_symlink()
    assert current_release(store) == result.release.resolve()
    assert result.release.parent == releases_dir(store)
    marker = json.loads(result.release.with_name(result.release.name + ".json").read_text(encoding="utf-8"))
    assert marker["quads"] == result.quads == len(Store.read_only(str(result.release)))


def test_previous_release_stays_readable_after_a_switch(tmp_path: Path) -> None:
    """A server holding the old release (opened read-only) keeps answering after a new load."""
    store = tmp_path / "store"
    load([SAMPLE], store)
    served = Store.read_only(str(store.resolve()))
    before = len(served)
    edited = edited_sample(tmp_path, '"12"^^', '"99"^^')
    load([edited], store)
    results = served.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(results, QuerySolutions)
    assert int(next(iter(results))["n"].value) == before
    assert any('"99"' in q for q in quads(store))


def test_a_killed_load_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    load([SAMPLE], store)
    target, before = store.resolve(), quads(store)
    real_build = load_module._build_release

    def build_then_die(current: Path | None, release: Path, *args: object) -> int:
        real_build(current, release, *args)  # type: ignore[arg-type]
        raise OSError("simulated crash after writing the new release, before the switch")

    monkeypatch.setattr(load_module, "_build_release", build_then_die)
    edited = edited_sample(tmp_path, '"12"^^', '"99"^^')
    with pytest.raises(LoadError, match="unchanged"):
        load([edited], store)
    assert store.resolve() == target
    assert quads(store) == before
    monkeypatch.undo()
    # an unfinished folder (as a SIGKILL would leave it) is cleaned by the next load
    leftover = releases_dir(store) / "20000101T000000000000Z"
    leftover.mkdir()
    (leftover / "junk").write_text("half written", encoding="utf-8")
    load([SAMPLE], store)
    assert not leftover.exists()


def test_old_releases_are_pruned(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for _ in range(KEEP_RELEASES + 2):
        load([SAMPLE], store)
    kept = [p for p in releases_dir(store).iterdir() if p.is_dir()]
    assert len(kept) == KEEP_RELEASES
    assert store.resolve() in {p.resolve() for p in kept}


def test_a_plain_store_folder_is_migrated(tmp_path: Path) -> None:
    store = tmp_path / "store"
    plain = Store(str(store))
    plain.add(Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o"), NamedNode("urn:x:g")))
    plain.flush()
    del plain
    load([SAMPLE], store)
    assert store.is_symlink()
    assert graphs(store) == {"urn:x:g", REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}


def test_concurrent_loads_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = releases_dir(store)
    folder.mkdir(parents=True)
    with (folder / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(LoadError, match="another"):
            load([SAMPLE], store)


# ---------------------------------------------------------------------------------------------
# The command


def test_cli_load_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "store"
    ok = runner.invoke(cli, ["load", str(SAMPLE), "--store", str(store)])
    assert ok.exit_code == 0, ok.output
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> \n", encoding="utf-8")
    partial = runner.invoke(cli, ["load", str(SAMPLE), str(broken), "--store", str(store)])
    assert partial.exit_code == 1
    assert f"error: {broken}:" in partial.output
    nothing = runner.invoke(cli, ["load", str(broken), "--store", str(store)])
    assert nothing.exit_code == 1
    assert "unchanged" in nothing.output


# ---------------------------------------------------------------------------------------------
# The base URL a release was loaded for (``gongkai serve`` checks it: tests/endpoint/test_settings.py)

OTHER_BASE = "http://127.0.0.1:9000"


def rebased_sample(tmp_path: Path, base: str) -> Path:
    """The sample as converted with ``--base-url base``."""
    out = tmp_path / "rebased.nq"
    out.write_text(SAMPLE.read_text(encoding="utf-8").replace(f"<{BASE}/", f"<{base}/"), encoding="utf-8")
    return out


def test_a_release_records_its_base_url(tmp_path: Path) -> None:
    given = load([SAMPLE], tmp_path / "given", base_url=BASE + "/").release
    assert recorded_base_url(given) == BASE
    marker = json.loads(given.with_name(given.name + ".json").read_text(encoding="utf-8"))
    assert marker["base_url"] == BASE
    assert recorded_base_url(load([SAMPLE], tmp_path / "default").release) == load_module.DEFAULT_BASE


def test_an_update_keeps_the_base_url_of_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = rebased_sample(tmp_path, OTHER_BASE)
    load([data], store, base_url=OTHER_BASE)
    updated = load([data], store)  # no base given: the store's
    assert recorded_base_url(updated.release) == OTHER_BASE
    assert f"{OTHER_BASE}/id/dataset/aggregates" in graphs(store)  # aggregates minted under it


def test_an_update_for_another_base_url_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = load([rebased_sample(tmp_path, OTHER_BASE)], store, base_url=OTHER_BASE).release
    with pytest.raises(LoadError) as caught:
        load([SAMPLE], store, base_url=BASE)
    assert OTHER_BASE in str(caught.value) and BASE in str(caught.value) and "--replace" in str(caught.value)
    assert current_release(store) == first.resolve()
    replaced = load([SAMPLE], store, base_url=BASE, replace=True)  # starting again for the new base
    assert recorded_base_url(replaced.release) == BASE


def test_cli_load_takes_the_store_base_url_or_refuses_another(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "store"
    data = rebased_sample(tmp_path, OTHER_BASE)
    assert runner.invoke(cli, ["load", str(data), "--store", str(store), "--base-url", OTHER_BASE]).exit_code == 0
    again = runner.invoke(cli, ["load", str(data), "--store", str(store)], env={"GONGKAI_BASE_URL": None})
    assert again.exit_code == 0, again.output
    assert recorded_base_url(current_release(store) or store) == OTHER_BASE
    other = runner.invoke(cli, ["load", str(SAMPLE), "--store", str(store), "--base-url", BASE])
    assert other.exit_code == 2
    assert [line for line in other.output.splitlines() if line.strip()] == [other.output.strip()]
    assert OTHER_BASE in other.output and BASE in other.output


# ---------------------------------------------------------------------------------------------
# Fresh loads (no release yet, or --replace): no parse ahead; a file that fails while it is
# bulk-loaded is reported and the release is built again without it


def test_a_fresh_load_skips_a_file_with_a_syntax_error_and_loads_the_rest(tmp_path: Path) -> None:
    store = tmp_path / "store"
    broken = tmp_path / "broken.nq"
    # its first line is fine and lands in the new release before the error is met
    broken.write_text(f"<urn:a> <urn:b> <urn:c> <{REPORT_2020}> .\n<urn:a> <urn:b> \n", encoding="utf-8")
    result = load([broken, SAMPLE], store)
    assert [p for p, _ in result.failures] == [broken]
    message = result.failures[0][1]
    assert "line 3" in message and "\n" not in message
    assert result.files_loaded == [SAMPLE]
    assert graphs(store) == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}
    assert not any(q.subject.value == "urn:a" for q in Store.read_only(str(store.resolve())))  # nothing of it
    assert [p for p in releases_dir(store).iterdir() if p.is_dir()] == [store.resolve()]  # no half-built one


def test_a_fresh_load_names_every_bad_file(tmp_path: Path) -> None:
    """Two bad files in one fresh load: each is named with its own line number (the release is
    built again after each), and the good one - gzip'd, without a final line break - is loaded."""
    store = tmp_path / "store"
    first = tmp_path / "a-broken.nq"
    first.write_text(f"<urn:a> <urn:b> <urn:c> <{REPORT_2020}> .\n<urn:a> <urn:b> \n", encoding="utf-8")
    second = tmp_path / "c-broken.nq"
    second.write_text("<urn:x> <urn:y> <urn:z> <urn:g> .\n" * 4 + "<urn:x> <urn:y> <urn:z> <urn:g>\n", encoding="utf-8")
    gzipped = tmp_path / "b-sample.nq.gz"
    gzipped.write_bytes(gzip.compress(SAMPLE.read_bytes().rstrip(b"\n")))  # no final line break
    result = load([first, gzipped, second], store)
    assert [p for p, _ in result.failures] == [first, second]
    reasons = dict(result.failures)
    assert "line 3" in reasons[first] and "line 6" in reasons[second]  # each file's own lines
    assert result.files_loaded == [gzipped]
    assert graphs(store) == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}
    sample = {str(q) for q in parse(path=str(SAMPLE), format=RdfFormat.N_QUADS)}
    assert quads(store, REPORT_2020) | quads(store, REPORT_2021) == sample


def test_a_fresh_load_skips_triples_outside_named_graphs(tmp_path: Path) -> None:
    store = tmp_path / "store"
    triples = tmp_path / "triples.nq"
    triples.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    result = load([SAMPLE, triples], store)
    assert len(result.failures) == 1 and result.failures[0][0] == triples
    assert result.failures[0][1].startswith("1 triples are outside any named graph")
    assert graphs(store) == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}


def test_a_fresh_load_skips_missing_files_and_wrong_suffixes(tmp_path: Path) -> None:
    turtle = tmp_path / "report.ttl"
    turtle.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    result = load([tmp_path / "missing.nq", turtle, SAMPLE], tmp_path / "store")
    assert [p.name for p, _ in result.failures] == ["missing.nq", "report.ttl"]
    assert result.files_loaded == [SAMPLE]
    assert result.graphs_replaced == 2
    assert graphs(tmp_path / "store") == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}


def test_replace_keeps_only_the_new_data_and_a_failed_replace_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    plain = tmp_path / "other.nq"
    plain.write_text("<urn:x:s> <urn:x:p> <urn:x:o> <urn:x:g> .\n", encoding="utf-8")
    load([plain], store)
    before, target = quads(store), store.resolve()
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> \n", encoding="utf-8")
    result = load([broken], store, replace=True)
    assert [p for p, _ in result.failures] == [broken]
    assert store.resolve() == target and quads(store) == before  # the published release is untouched
    load([SAMPLE], store, replace=True)
    assert graphs(store) == {REPORT_2020, REPORT_2021, VOCAB_GRAPH, AGGREGATES}  # urn:x:g is gone


def test_a_fresh_load_equals_an_update_and_optimize_is_optional(tmp_path: Path) -> None:
    fresh, updated, unoptimized = tmp_path / "fresh", tmp_path / "updated", tmp_path / "unoptimized"
    load([SAMPLE], fresh)
    load([SAMPLE], updated)
    load([SAMPLE], updated)  # the second load takes the update path (parse ahead, replace graphs)
    load([SAMPLE], unoptimized, optimize=False)
    assert quads(fresh) == quads(updated) == quads(unoptimized)


def test_cli_fresh_load_with_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> \n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["load", str(SAMPLE), str(broken), "--store", str(tmp_path / "store"), "--no-optimize"])
    assert r.exit_code == 1  # an input failed (2: the command could not run)
    lines = r.output.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"error: {broken}: ") and "line" in lines[0]
    assert lines[0].endswith("; skipped") and lines[1].startswith("loaded 1/2 files")


def test_the_commands_start_without_rdflib_or_pypinyin() -> None:
    """`gongkai dump`/`load` import endpoint.cli, endpoint.load and endpoint.dump: none pulls in converter.iris
    or converter.vocab (pypinyin, rdflib: ~1 s of start-up); the names they share live in
    converter.defaults."""
    import subprocess
    import sys

    code = "import sys, endpoint.cli, endpoint.load, endpoint.dump, endpoint.release; print(sorted(m for m in ('rdflib', 'pypinyin') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    from converter import iris, vocab

    assert load_module.DEFAULT_BASE == iris.DEFAULT_BASE and load_module.VOCAB_GRAPH == vocab.VOCAB_GRAPH


def test_a_load_tells_its_progress(tmp_path: Path) -> None:
    """What `gongkai load` shows on a terminal: each file as it is loaded, then the later steps."""
    store = tmp_path / "store"
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    first.write_text("".join(line for line in lines if REPORT_2020 in line), encoding="utf-8")
    second.write_text("".join(line for line in lines if REPORT_2020 not in line), encoding="utf-8")
    for optimize, step in (
        (True, "compacting the store, computing the aggregates"),
        (False, "computing the aggregates"),
    ):
        seen: list[tuple[str, int, int]] = []
        load([first, second], store, optimize=optimize, progress=lambda *args, seen=seen: seen.append(args))
        assert seen == [
            ("loading a.nq", 0, 2),
            ("loading b.nq", 1, 2),
            (step, 0, 0),
            ("publishing the release", 0, 0),
        ]
