"""Province outlines for the dashboard's map, from the vendored ``@svg-maps/indonesia`` (CC BY 4.0).

The package draws the 34 provinces of 2020 with ISO 3166-2:ID ids; ``ISO_TO_KEMENDAGRI`` maps them
to our province codes. The four provinces formed in 2022 out of Papua and Papua Barat have no
outline: their figures are listed under the map instead (``MapView.unmatched``), never dropped.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SVG_PATH = Path(settings.BASE_DIR) / "static" / "vendor" / "svg-maps-indonesia" / "indonesia.svg"

ISO_TO_KEMENDAGRI = {
    "id-ac": "11", "id-su": "12", "id-sb": "13", "id-ri": "14", "id-ja": "15", "id-ss": "16",
    "id-be": "17", "id-la": "18", "id-bb": "19", "id-kr": "21", "id-jk": "31", "id-jb": "32",
    "id-jt": "33", "id-yo": "34", "id-ji": "35", "id-bt": "36", "id-ba": "51", "id-nb": "52",
    "id-nt": "53", "id-kb": "61", "id-kt": "62", "id-ks": "63", "id-ki": "64", "id-ku": "65",
    "id-sa": "71", "id-st": "72", "id-sn": "73", "id-sg": "74", "id-go": "75", "id-sr": "76",
    "id-ma": "81", "id-mu": "82", "id-pa": "91", "id-pb": "92",
}  # fmt: skip
# Light to dark blue: five classes are as many as an eye tells apart on a map.
PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#eeeeee"

_PATH = re.compile(r'<path\s+id="(?P<id>[^"]+)"\s+name="[^"]*"\s+d="(?P<d>[^"]+)"', re.S)
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')


@dataclass(frozen=True)
class Outlines:
    view_box: str
    paths: dict[str, str]  # Kemendagri province code -> SVG path data


@functools.cache
def outlines() -> Outlines:
    """Read once per process (112 KB): every map page reuses the parsed paths."""
    text = SVG_PATH.read_text(encoding="utf-8")
    view_box = _VIEWBOX.search(text)
    paths = {
        ISO_TO_KEMENDAGRI[match["id"]]: " ".join(match["d"].split())
        for match in _PATH.finditer(text)
        if match["id"] in ISO_TO_KEMENDAGRI
    }
    return Outlines(view_box=view_box.group(1) if view_box else "0 0 800 300", paths=paths)


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str
    fill: str
    label: str


@dataclass(frozen=True)
class MapView:
    view_box: str
    shapes: list[Shape]
    unmatched: list[tuple[str, str, str]]  # (code, name, label) of provinces with figures but no outline
    legend: list[tuple[str, str]]  # (colour, range label)


def colour_for(value: float | None, maximum: float) -> str:
    if value is None or maximum <= 0:
        return NO_DATA
    index = min(len(PALETTE) - 1, int(len(PALETTE) * value / maximum)) if value > 0 else 0
    return PALETTE[index]


def map_view(values: dict[str, tuple[str, float | None, str]], *, names: dict[str, str]) -> MapView:
    """``values``: province code -> (name, value, formatted label). Provinces without a value are grey."""
    drawn = outlines()
    maximum = max((v for _n, v, _l in values.values() if v is not None), default=0)
    shapes = [
        Shape(
            code=code,
            name=values.get(code, (names.get(code, code), None, ""))[0],
            d=d,
            fill=colour_for(values[code][1], maximum) if code in values else NO_DATA,
            label=values[code][2] if code in values else "",
        )
        for code, d in sorted(drawn.paths.items())
    ]
    unmatched = [(code, name, label) for code, (name, _v, label) in sorted(values.items()) if code not in drawn.paths]
    step = maximum / len(PALETTE) if maximum else 0
    legend = [(colour, f"{step * i:,.0f}–{step * (i + 1):,.0f}".replace(",", ".")) for i, colour in enumerate(PALETTE)]
    return MapView(view_box=drawn.view_box, shapes=shapes, unmatched=unmatched, legend=legend)
