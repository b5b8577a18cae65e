"""A synthetic national corpus in the published model, for benchmarks.

``python -m bench.generate -n 1000 -o build/bench/corpus-1000`` builds N ``converter.model.Report``
objects (the real 表二/表三/表四 layouts of the 2019 and 2021 templates, with consistent
arithmetic: 表三 row 3.7 = the sum of the outcome rows, row 4 = 1 + 2 - 3.7, the 总计 column = the
sum of the applicant columns; 表四 总计 = the sum of the results), emits each with
``converter.output.report_nquads`` (what ``gongkai convert`` writes) and writes one N-Quads shard
per ``--shard-size`` reports (graph by graph, each sorted, as ``gongkai convert`` writes a file).

Agencies are made-up but realistic (province / city / district 人民政府, their 办公厅/办公室 and
departments); each agency reports for consecutive years in 2019-2023, so agency time series exist.
The same ``--seed`` and ``-n`` give byte-identical shards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from converter.model import Cell, Report, ReportMeta, SourceDoc
from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT,
    APPLICANT_COLUMNS,
    DISCLOSURE_ROWS,
    REQUEST,
    REQUEST_ROWS,
    RESULT,
    Generation,
    Measure,
    concept,
)

BASE = "http://localhost:8000"
YEARS = (2019, 2020, 2021, 2022, 2023)

PROVINCES = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]
CITY_STEMS = [
    "南平",
    "东阳",
    "西宁",
    "北海",
    "长丰",
    "安康",
    "永宁",
    "平江",
    "新城",
    "青山",
    "白云",
    "金华",
    "福清",
    "德阳",
    "兴化",
    "宁远",
    "丰城",
    "泰和",
    "华容",
    "清河",
    "龙泉",
    "石门",
    "临川",
    "昌平",
    "阳朔",
    "宜春",
    "明光",
    "荣成",
]
DISTRICT_STEMS = [
    "城关",
    "鼓楼",
    "江东",
    "河西",
    "高新",
    "开发",
    "东湖",
    "西湖",
    "南湖",
    "北塘",
    "新华",
    "长安",
    "和平",
    "解放",
    "光明",
    "红旗",
    "友谊",
    "建设",
    "胜利",
    "人民",
    "中山",
    "文昌",
    "武陵",
    "朝阳",
    "太平",
    "永安",
    "兴隆",
    "安定",
]
DEPARTMENTS = [
    "人民政府",
    "人民政府办公室",
    "发展和改革委员会",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康委员会",
    "市场监督管理局",
    "应急管理局",
    "医疗保障局",
]
REQUEST_ZH = {c.notation: c.zh for c in REQUEST}
APPLICANT_ZH = {c.notation: c.zh for c in APPLICANT}
RESULT_ZH = {c.notation: c.zh for c in RESULT}
PROCEEDING_ZH = {"review": "行政复议", "litigation-direct": "未经复议直接起诉", "litigation-after-review": "复议后起诉"}
OUTCOME_ROWS = {g: [r for r in rows if r.startswith("3.") and r != "3.7"] for g, rows in REQUEST_ROWS.items()}


def agency_names(count: int, seed: int) -> list[str]:
    """``count`` distinct agency names, deterministic for ``seed``."""
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        province = rng.choice(PROVINCES)
        level = rng.random()
        dept = rng.choice(DEPARTMENTS) if rng.random() < 0.6 else "人民政府"
        if level < 0.1:
            place = province
            dept = dept.replace("人民政府办公室", "人民政府办公厅").replace("局", "厅")
        elif level < 0.45 or (province.endswith("市") and level < 0.6):
            place = province + rng.choice(CITY_STEMS) + ("区" if province.endswith("市") else "市")
        else:
            city = rng.choice(CITY_STEMS) + "市"
            prefix = province if not province.endswith("市") else ""
            place = prefix + city + rng.choice(DISTRICT_STEMS) + rng.choice("区县")
        name = place + dept
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _small(rng: random.Random, scale: float) -> int:
    """A skewed non-negative count: most cells are 0 or small, a few are large."""
    if rng.random() < 0.45:
        return 0
    return int(rng.expovariate(1.0 / scale))


@dataclass(frozen=True)
class Spec:
    index: int
    agency: str
    year: int
    scale: float


def specs(n: int, seed: int) -> list[Spec]:
    """Which report the corpus holds at each index: agencies × consecutive years."""
    rng = random.Random(seed)
    names = agency_names(max(1, (n + len(YEARS) - 1) // len(YEARS)), seed)
    out = []
    for i in range(n):
        agency = names[i // len(YEARS)]
        year = YEARS[i % len(YEARS)]
        out.append(Spec(i, agency, year, rng.choice((2.0, 5.0, 20.0, 80.0))))
    return out


def build_report(spec: Spec, seed: int) -> Report:
    rng = random.Random(f"{seed}:{spec.index}")
    generation = Generation.GEN2019 if spec.year < 2021 else Generation.GEN2021
    cells: list[Cell] = []
    line = 40

    def add(
        table: str,
        codes: tuple[tuple[str, str], ...],
        measure: Measure,
        value: int | Decimal,
        row: str,
        column: str,
        text: str | None = None,
        unit: str | None = None,
    ) -> None:
        cells.append(
            Cell(
                table,
                codes,
                measure,
                Decimal(value),
                text if text is not None else str(value),
                row,
                column,
                line=line,
                unit=unit,
            )
        )

    # 表二
    for drow in DISCLOSURE_ROWS[generation]:
        line += 1
        for column, measure in drow.columns:
            codes = (("provision", drow.provision), ("item", drow.item), ("column", column))
            row_zh, col_zh = concept("item", drow.item).zh, concept("column", column).zh
            if measure is Measure.CHANGE:
                v = rng.randint(-20, 30)
                add("table2", codes, measure, v, row_zh, col_zh, f"增 {v}" if v >= 0 else f"减 {-v}")
            elif measure is Measure.AMOUNT:
                v = Decimal(rng.randint(0, 500000)) / 100
                add("table2", codes, measure, v, row_zh, col_zh, f"{v} 万元", unit="wan-yuan")
            else:
                add("table2", codes, measure, _small(rng, spec.scale * 5), row_zh, col_zh)

    # 表三: per applicant column, consistent rows; then the 总计 column
    rows = REQUEST_ROWS[generation]
    outcome = OUTCOME_ROWS[generation]
    columns: dict[str, dict[str, int]] = {}
    for applicant in APPLICANT_COLUMNS[:-1]:
        weight = spec.scale if applicant == "natural-person" else spec.scale / 6
        values = {r: _small(rng, weight / 3) for r in outcome}
        values["3.1"] = _small(rng, weight)
        handled = sum(values[r] for r in outcome)
        carried, next_year = rng.randint(0, 3), rng.randint(0, 3)
        new = handled + next_year - carried
        if new < 0:
            carried, new = 0, handled + next_year
        values.update({"1": new, "2": carried, "3.7": handled, "4": next_year})
        columns[applicant] = values
    columns["total"] = {r: sum(columns[a][r] for a in APPLICANT_COLUMNS[:-1]) for r in rows}
    for r in rows:
        line += 1
        for applicant in APPLICANT_COLUMNS:
            add(
                "table3",
                (("request", r), ("applicant", applicant)),
                Measure.COUNT,
                columns[applicant][r],
                REQUEST_ZH[r],
                APPLICANT_ZH[applicant],
            )

    # 表四
    line += 1
    by_proceeding: dict[str, dict[str, int]] = {}
    for proceeding, result in APPEAL_CELLS:
        if result == "total":
            continue
        by_proceeding.setdefault(proceeding, {})[result] = _small(rng, spec.scale / 20)
    for proceeding, result in APPEAL_CELLS:
        values = by_proceeding[proceeding]
        v = sum(values.values()) if result == "total" else values[result]
        add(
            "table4",
            (("proceeding", proceeding), ("result", result)),
            Measure.COUNT,
            v,
            PROCEEDING_ZH[proceeding],
            RESULT_ZH[result],
        )

    sha = hashlib.sha256(f"gongkai-bench:{seed}:{spec.index}".encode()).hexdigest()
    published = f"{spec.year + 1}-01-{rng.randint(10, 31):02d}"
    return Report(
        source=SourceDoc(Path(f"synthetic_{spec.index:06d}.txt"), sha, "text/plain", ()),
        meta=ReportMeta(spec.agency, spec.year, f"{spec.agency}{spec.year}年政府信息公开工作年度报告", published),
        generation=generation,
        evidence=f"synthetic report ({generation.value} template)",
        cells=cells,
    )


def reports(n: int, seed: int) -> Iterator[Report]:
    for spec in specs(n, seed):
        yield build_report(spec, seed)


def _write_shard(args: tuple[list[Spec], int, str, str]) -> tuple[str, int]:
    from converter.output import merge_nquads, report_graph, report_nquads, write_atomic

    shard_specs, seed, path, base = args
    reports = [build_report(spec, seed) for spec in shard_specs]
    data = merge_nquads((report_graph(r, base), report_nquads(r, base)) for r in reports)
    write_atomic(Path(path), data)
    return path, data.count(b"\n")


def generate(n: int, out: Path, *, seed: int = 1, shard_size: int = 100, jobs: int = 2, base: str = BASE) -> dict:
    """Write the corpus shards into ``out``; return a summary (also written as ``corpus.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    all_specs = specs(n, seed)
    tasks = [
        (all_specs[i : i + shard_size], seed, str(out / f"shard-{i // shard_size:05d}.nq"), base)
        for i in range(0, n, shard_size)
    ]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_write_shard, tasks))
    seconds = time.perf_counter() - start
    summary = {
        "reports": n,
        "seed": seed,
        "shards": len(results),
        "quads": sum(q for _, q in results),
        "agencies": len({s.agency for s in all_specs}),
        "seconds": round(seconds, 2),
    }
    (out / "corpus.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of reports (1000; 10000; 100000 on demand)")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shard-size", type=int, default=100)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(generate(args.n, args.out, seed=args.seed, shard_size=args.shard_size, jobs=args.jobs)))


if __name__ == "__main__":
    main()
