"""What the SHACL engine tests validate: the shape cases of tests/shapes/ and the seed reports."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "tests" / "shapes").iterdir() if p.suffix in (".ttl", ".trig"))
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))
BASE = "http://localhost:8000"
GK = "https://w3id.org/gongkai/def#"
XSD = "http://www.w3.org/2001/XMLSchema#"
