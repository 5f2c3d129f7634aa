"""The `quanze` command as a user runs it: build, query, export, and its errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from quanze.graph import paths
from quanze.graph.cli import main

COUNT_ITEMS = "PREFIX qz: <https://w3id.org/quanze/ontology#> SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a qz:PowerItem }"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_prints_a_table(capsys, store_path):
    code, out, _ = run(capsys, "--store", str(store_path), "query", COUNT_ITEMS)
    assert code == 0
    assert out.splitlines()[2].strip() == "52"
    assert "(1 rows)" in out


def test_no_query_result_waits_in_garbage_for_another_thread(capsys, store_path):
    """rdflib's parser leaves reference cycles whose frames keep their callers alive until the garbage
    collector runs, maybe on another thread (a test client's); a pyoxigraph result iterator held there
    may only be dropped by the thread that made it (CI printed "PyQuerySolutions is unsendable")."""
    import gc

    gc.collect()
    gc.disable()  # the collection below, not one in the middle of the command, finds what is left
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert run(capsys, "--store", str(store_path), "query", COUNT_ITEMS)[0] == 0
        gc.collect()
        held = [
            frame.f_code.co_name for frame in gc.garbage if type(frame).__name__ == "frame"
            for value in frame.f_locals.values() if type(value).__name__ == "QuerySolutions"
        ]
    finally:
        gc.set_debug(0)
        del gc.garbage[:]
        gc.enable()
    assert held == []


def test_query_csv_and_json(capsys, store_path):
    code, out, _ = run(capsys, "--store", str(store_path), "query", COUNT_ITEMS, "--format", "csv")
    assert code == 0 and list(csv.reader(out.splitlines())) == [["n"], ["52"]]
    code, out, _ = run(capsys, "--store", str(store_path), "query", COUNT_ITEMS, "--format", "json")
    assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == "52"


def test_query_from_a_file_and_ask(capsys, store_path, tmp_path):
    query = tmp_path / "ask.rq"
    query.write_text("ASK { ?s <https://w3id.org/quanze/ontology#divisionCode> \"410503\" }", encoding="utf-8")
    code, out, _ = run(capsys, "--store", str(store_path), "query", str(query))
    assert (code, out.strip()) == (0, "true")


@pytest.mark.parametrize("query_file", sorted(paths.queries_dir().glob("*.rq")), ids=lambda p: p.name)
def test_every_example_query_runs_and_answers(capsys, store_path, query_file):
    code, out, err = run(capsys, "--store", str(store_path), "query", str(query_file), "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) > 1, f"{query_file.name} returned no rows"


def test_bad_query_is_one_line_and_exit_2(capsys, store_path):
    code, out, err = run(capsys, "--store", str(store_path), "query", "SELEC ?x WHERE {}")
    assert code == 2 and out == ""
    assert err.startswith("quanze: SPARQL syntax error") and err.count("\n") == 1


def test_missing_store_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "--store", str(tmp_path / "none"), "query", COUNT_ITEMS)
    assert code == 2 and "quanze build" in err


def test_missing_query_file_is_exit_2(capsys, store_path):
    code, _, err = run(capsys, "--store", str(store_path), "query", "missing.rq")
    assert code == 2 and "not found" in err


@pytest.mark.parametrize("fmt,marker", [("nquads", b"<https://w3id.org/quanze/id/graph/register/"), ("trig", b"GRAPH"), ("turtle", b"@prefix"), ("jsonld", b"@id")])
def test_export_formats(capsys, store_path, tmp_path, fmt, marker):
    out = tmp_path / f"dump.{fmt}"
    code, _, err = run(capsys, "--store", str(store_path), "export", "--format", fmt, "-o", str(out))
    assert code == 0, err
    data = out.read_bytes()
    assert marker in data or (fmt == "trig" and b"{" in data)
    assert "对侵占、挪用医疗保障基金的处罚".encode() in data


def test_build_writes_a_store_and_a_failed_build_keeps_it(capsys, tmp_path, monkeypatch):
    store = tmp_path / "store"
    code, out, err = run(capsys, "--store", str(store), "build", "--quiet")
    assert code == 0, err
    assert "jurisdiction 340406: 9 power items" in out
    # a broken data directory: the manifest names a register that is not there
    broken = tmp_path / "data"
    shutil.copytree(paths.data_dir(), broken)
    with (broken / "registers" / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write("999_missing.txt,110101,东城区,北京市,,东城区医疗保障局,power-list,table,,x,\n")
    code, _, err = run(capsys, "--store", str(store), "build", "--quiet", "--data", str(broken))
    assert code == 2 and "previous store is unchanged" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "--store", str(store), "query", COUNT_ITEMS, "--format", "csv")
    assert code == 0 and out.splitlines()[1] == "52"


def test_law_prints_the_article_and_the_powers_citing_it(capsys, store_path):
    code, out, err = run(capsys, "--store", str(store_path), "law", "社会保险法", "八十七")
    assert code == 0, err
    assert out.startswith("《中华人民共和国社会保险法》第87条")
    for place in ("潘集区 340406", "北关区 410503", "瓜州县 620922"):
        assert place in out
    assert "[4105030039B0001]" in out


@pytest.mark.parametrize("argv,message", [(("不存在法", "1"), "no instrument"), (("社会保险法", "120"), "98 articles"), (("社会保险法", "abc"), "not an article")])
def test_law_errors(capsys, store_path, argv, message):
    code, _, err = run(capsys, "--store", str(store_path), "law", *argv)
    assert code == 2 and message in err
