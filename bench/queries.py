"""The SPARQL requests the benchmarks send, the same to Gongkai and to its peers (bench/sparql_http.py,
bench/aggregate.py, bench/ceiling.py, bench/rdflib_endpoint.py, bench/distributed.py)."""

from __future__ import annotations

from pathlib import Path

from bench.harness import BASE, ROOT

PREFIXES = (
    "PREFIX gk: <https://w3id.org/gongkai/def#> PREFIX qb: <http://purl.org/linked-data/cube#> "
    "PREFIX code: <https://w3id.org/gongkai/code/> "
)


def pick(store: Path) -> dict[str, str]:
    """An agency with five reports, one of its reports, from the store."""
    from pyoxigraph import Store

    s = Store.read_only(str(store.resolve()))
    row = next(
        iter(
            s.query(
                PREFIXES + "SELECT ?agency ?report WHERE { GRAPH ?report { ?report gk:agency ?agency ; gk:year ?y } "
                "FILTER(STR(?y) = '2021') } ORDER BY ?report LIMIT 1"
            )
        )
    )
    return {"agency": row["agency"].value, "report": row["report"].value}


def queries(agency: str, report: str) -> dict[str, str]:
    return {
        "report table (表三 of one report)": PREFIXES
        + (
            f"SELECT ?request ?applicant ?count WHERE {{ GRAPH <{report}> {{ ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:request ?request ; gk:applicant ?applicant ; gk:count ?count } }"
        ),
        "agency time series": PREFIXES
        + (
            f"SELECT ?year ?count WHERE {{ GRAPH ?r {{ ?r gk:agency <{agency}> ; gk:year ?year . "
            "?o gk:report ?r ; gk:request <https://w3id.org/gongkai/code/request/1> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:count ?count } } ORDER BY ?year"
        ),
        "national aggregate (scan)": PREFIXES
        + (
            f"SELECT ?year ?request (SUM(?c) AS ?total) WHERE {{ GRAPH ?r {{ ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:request ?request ; gk:count ?c . "
            "?r gk:year ?year } } GROUP BY ?year ?request ORDER BY ?year ?request"
        ),
        "national aggregate (aggregate graph)": PREFIXES
        + (
            f"SELECT ?year ?request ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o qb:dataSet <{BASE}/id/dataset/national-applications> ; gk:refYear ?year ; gk:request ?request ; "
            "gk:count ?total } } ORDER BY ?year ?request"
        ),
    }


def provincial_queries(province: str = "34") -> dict[str, str]:
    """One province's applications by outcome and year: from the aggregate graph, and the scan of
    the report observations it replaces (through the agencies' gk:province)."""
    prov = f"<https://w3id.org/gongkai/code/province/{province}>"
    return {
        "provincial aggregate (scan)": PREFIXES
        + (
            f"SELECT ?year ?request (SUM(?c) AS ?total) WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ ?a gk:province {prov} }} "
            f"GRAPH ?r {{ ?r gk:agency ?a ; gk:year ?year . ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:request ?request ; gk:count ?c } } "
            "GROUP BY ?year ?request ORDER BY ?year ?request"
        ),
        "provincial aggregate (aggregate graph)": PREFIXES
        + (
            f"SELECT ?year ?request ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o gk:province {prov} . ?o qb:dataSet <{BASE}/id/dataset/provincial-applications> . ?o gk:refYear ?year ; "
            "gk:request ?request ; gk:count ?total } } ORDER BY ?year ?request"
        ),
    }


def describe_query(iri: str) -> str:
    text = (ROOT / "endpoint" / "queries" / "res_describe.rq").read_text(encoding="utf-8")
    return text.replace("?s ", f"<{iri}> ").replace("?s\n", f"<{iri}>\n").replace("?s}", f"<{iri}>}}")
