"""Make scanned-report fixtures from real PDFs: tests/fixtures/scans/ (and, with --all, more for bench/ocr.py).

The pages are rendered with pdftoppm (poppler-utils), given the defects of real scans with Pillow
(a slight rotation, noise, a red seal stamped over the page, JPEG compression) and wrapped into
image-only PDFs with img2pdf. Usage:

    python3 tools/make_scan_fixtures.py            # the committed fixtures (Debian python3-img2pdf)
    .venv/bin/python tools/make_scan_fixtures.py --expected   # their expected cells (needs the converter)
    python3 tools/make_scan_fixtures.py --all DIR  # also 150/200/300 dpi of every source page, in DIR
"""

from __future__ import annotations

import argparse
import io
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HUAIAN = Path("/work/shared/reports/huaian_municipal_2024.pdf")
SEED = ROOT / "tests/fixtures/seed_000.pdf"
OUT = ROOT / "tests/fixtures/scans"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def render(pdf: Path, page: int, dpi: int) -> Image.Image:
    """One page of a PDF as an RGB image (pdftoppm)."""
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp, "p")
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(stem)],
            check=True,
        )
        return Image.open(f"{stem}.png").convert("RGB")


def noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Scanner noise: grain (zero-mean Gaussian) and a few dark specks."""
    rng = random.Random(seed)
    grain = Image.effect_noise(image.size, sigma).convert("RGB")
    out = ImageChops.add(image, grain, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(out)
    for _ in range(image.width * image.height // 20000):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        r = rng.choice((1, 1, 2))
        draw.ellipse((x, y, x + r, y + r), fill=(60, 60, 60))
    return out


def stamp(image: Image.Image, centre: tuple[int, int], dpi: int, text: str = "淮安市人民政府办公室") -> Image.Image:
    """A red official seal (ring, star, text round the top), multiplied onto the page like ink."""
    radius = int(dpi * 0.8)
    seal = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(seal)
    red = (215, 40, 40)
    cx, cy = centre
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=max(4, dpi // 40))
    star = [
        (
            cx + (radius * 0.3 if i % 2 == 0 else radius * 0.12) * math.sin(i * math.pi / 5),
            cy - (radius * 0.3 if i % 2 == 0 else radius * 0.12) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(FONT, int(radius * 0.22))
    for i, char in enumerate(text):
        angle = math.radians(-110 + 220 * i / max(len(text) - 1, 1))
        x = cx + radius * 0.72 * math.sin(angle)
        y = cy - radius * 0.72 * math.cos(angle)
        glyph = Image.new("RGBA", (font.size * 2, font.size * 2), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((font.size // 2, font.size // 2), char, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
        seal.paste(glyph, (int(x - font.size), int(y - font.size)), glyph)
    seal = seal.filter(ImageFilter.GaussianBlur(0.8))
    return ImageChops.multiply(image, seal)


def jpeg(image: Image.Image, quality: int, grey: bool) -> bytes:
    buffer = io.BytesIO()
    (image.convert("L") if grey else image).save(buffer, "JPEG", quality=quality, dpi=(200, 200))
    return buffer.getvalue()


def to_pdf(pages: list[bytes], path: Path, dpi: int) -> None:
    import img2pdf  # Debian's python3-img2pdf: run the image steps with the system python3

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    path.write_bytes(img2pdf.convert(pages, layout_fun=layout))


def committed() -> None:
    """The few small files the tests use (tests/fixtures/scans/README.md)."""
    OUT.mkdir(parents=True, exist_ok=True)
    dpi = 200
    pages = {n: render(HUAIAN, n, dpi) for n in (1, 4, 5)}
    # 1. clean scan: grey, JPEG-compressed, title page + the pages with 表三/表四
    to_pdf([jpeg(pages[n], 60, grey=True) for n in (1, 4, 5)], OUT / "huaian_2024_p1_4_5_200dpi.pdf", dpi)
    # 2. a worn scan: skewed 1.5° and -1°, noise, a red seal over the foot of page 5, colour JPEG
    worn4 = noise(pages[4], 20, seed=4).rotate(1.5, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    sealed = stamp(pages[5], (1300, 2050), dpi)
    worn5 = noise(sealed, 20, seed=5).rotate(-1.0, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    to_pdf([jpeg(worn4, 50, grey=False), jpeg(worn5, 50, grey=False)], OUT / "huaian_2024_p4_5_worn.pdf", dpi)
    # 3. a page photographed or scanned on its side and upside down: images, not PDFs
    pages[5].convert("L").rotate(90, expand=True).save(OUT / "huaian_2024_p5_turned90.jpg", quality=60)
    pages[5].convert("L").rotate(180).save(OUT / "huaian_2024_p5_upside_down.png", optimize=True)


def expected() -> None:
    """The 表三/表四 cells of the text-layer original, as convert_file reads them (the tests' reference)."""
    import json

    from converter.pipeline import convert_file

    report = convert_file(HUAIAN)
    cells = {"/".join(c.key): str(c.value) for c in report.cells if c.table in ("table3", "table4")}
    (OUT / "huaian_2024_expected.json").write_text(
        json.dumps(cells, ensure_ascii=False, indent=0, sort_keys=True) + "\n"
    )


def everything(folder: Path) -> None:
    """150/200/300 dpi of the report pages with tables, clean and worn (for bench/ocr.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {"huaian": (HUAIAN, (4, 5)), "seed000": (SEED, tuple(range(1, 6)))}
    for name, (pdf, numbers) in sources.items():
        for dpi in (150, 200, 300):
            pages = [render(pdf, n, dpi) for n in numbers]
            to_pdf([jpeg(p, 70, grey=True) for p in pages], folder / f"{name}_{dpi}dpi.pdf", dpi)
            worn = [
                noise(p, 20, seed=i).rotate(1.2, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
                for i, p in enumerate(pages)
            ]
            to_pdf([jpeg(p, 50, grey=True) for p in worn], folder / f"{name}_{dpi}dpi_worn.pdf", dpi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", type=Path, help="also write every resolution and variant to this folder")
    parser.add_argument(
        "--expected", action="store_true", help="only write huaian_2024_expected.json (run with the project venv)"
    )
    args = parser.parse_args()
    if args.expected:
        expected()
        return
    committed()
    if args.all:
        everything(args.all)


if __name__ == "__main__":
    main()
