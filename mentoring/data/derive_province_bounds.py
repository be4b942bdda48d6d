"""Derive ``province_bounds.csv`` from the dashboard's vendored province map (one-off; rerun by hand).

The SVG (``static/vendor/svg-maps-indonesia``) is drawn in a near-equirectangular projection; its
overall extent is matched to Indonesia's extreme points (west 95.01° E Pulau Weh, east 141.02° E the
Papua border, north 6.08° N Pulau Weh, south 11.01° S Pulau Ndana), and each province's outline box is
mapped linearly. Near the equator the error of that linear mapping is a few kilometres; positions
are compared with a margin (``mentoring.geo``)."""

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SVG = ROOT / "static" / "vendor" / "svg-maps-indonesia" / "indonesia.svg"
WEST, EAST, NORTH, SOUTH = 95.01, 141.02, 6.08, -11.01
TOKEN = re.compile(r"[A-Za-z]|-?\d*\.?\d+(?:e-?\d+)?")
ISO = {
    "id-ac": "11", "id-su": "12", "id-sb": "13", "id-ri": "14", "id-ja": "15", "id-ss": "16",
    "id-be": "17", "id-la": "18", "id-bb": "19", "id-kr": "21", "id-jk": "31", "id-jb": "32",
    "id-jt": "33", "id-yo": "34", "id-ji": "35", "id-bt": "36", "id-ba": "51", "id-nb": "52",
    "id-nt": "53", "id-kb": "61", "id-kt": "62", "id-ks": "63", "id-ki": "64", "id-ku": "65",
    "id-sa": "71", "id-st": "72", "id-sn": "73", "id-sg": "74", "id-go": "75", "id-sr": "76",
    "id-ma": "81", "id-mu": "82", "id-pa": "91", "id-pb": "92",
}  # fmt: skip


def points(d: str) -> list[tuple[float, float]]:
    tokens = TOKEN.findall(d)
    out, x, y, start, cmd, i = [], 0.0, 0.0, (0.0, 0.0), "m", 0
    arity = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2}
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "zZ":
                x, y = start
                continue
        n = arity[cmd.lower()]
        args = [float(t) for t in tokens[i : i + n]]
        i += n
        rel = cmd.islower()
        c = cmd.lower()
        if c == "h":
            x = x + args[0] if rel else args[0]
        elif c == "v":
            y = y + args[0] if rel else args[0]
        else:
            dx, dy = args[-2], args[-1]
            x, y = (x + dx, y + dy) if rel else (dx, dy)
        if c == "m":
            start = (x, y)
            cmd = "l" if rel else "L"
        out.append((x, y))
    return out


def main() -> None:
    text = SVG.read_text()
    boxes = {}
    for match in re.finditer(r'<path\s+id="([^"]+)"\s+name="[^"]*"\s+d="([^"]+)"', text, re.S):
        pts = points(match.group(2))
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes[ISO[match.group(1)]] = (min(xs), max(xs), min(ys), max(ys))
    x0 = min(b[0] for b in boxes.values())
    x1 = max(b[1] for b in boxes.values())
    y0 = min(b[2] for b in boxes.values())
    y1 = max(b[3] for b in boxes.values())

    def lon(x: float) -> float:
        return WEST + (x - x0) / (x1 - x0) * (EAST - WEST)

    def lat(y: float) -> float:
        return NORTH - (y - y0) / (y1 - y0) * (NORTH - SOUTH)

    writer = csv.writer(sys.stdout)
    writer.writerow(["province", "west", "east", "south", "north"])
    for code in sorted(boxes):
        bx = boxes[code]
        writer.writerow([code, f"{lon(bx[0]):.2f}", f"{lon(bx[1]):.2f}", f"{lat(bx[3]):.2f}", f"{lat(bx[2]):.2f}"])


if __name__ == "__main__":
    main()
