"""Minimal PDF files written byte by byte, for tests that need a PDF no tool would make."""

from __future__ import annotations


def pdf_from_objects(objects: list[str]) -> bytes:
    """A PDF whose objects are ``objects`` (numbered from 1; object 1 is the catalog), with its
    cross-reference table and trailer."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out
