"""Where a photo was taken (its EXIF GPS position) and whether that is in the group's regency.

The EXIF reader is a small, defensive walk of the JPEG APP1 segment (or a PNG ``eXIf`` chunk) down to
the GPS IFD: no image library, no decoding of pixels, any malformed structure gives "no position".
Positions are compared with ``data/regency_centroids.csv`` (a circle per regency) where the regency
is listed, otherwise with ``data/province_bounds.csv`` plus ``PROVINCE_MARGIN_DEG``."""

import csv
import functools
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DATA = Path(__file__).resolve().parent / "data"
PROVINCE_MARGIN_DEG = 0.35  # ≈ 39 km: the derived boxes are accurate to about 0.2°
_MAX_SCAN = 256 * 1024  # EXIF sits in the first segments; never read a whole photo for it
_GPS_IFD_TAG = 0x8825


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float


def exif_position(upload: BinaryIO) -> Position | None:
    """The GPS position written in the photo, or ``None``. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(_MAX_SCAN)
    upload.seek(0)
    try:
        tiff = _tiff_block(head)
        return _gps_from_tiff(tiff) if tiff else None
    except (struct.error, IndexError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _tiff_block(data: bytes) -> bytes | None:
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 4 <= len(data) and data[i] == 0xFF:
            marker = data[i + 1]
            if marker in (0xD9, 0xDA):  # end of image / start of scan: no metadata after this
                return None
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            segment = data[i + 4 : i + 2 + length]
            if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
                return segment[6:]
            i += 2 + length
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        i = 8
        while i + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[i : i + 8])
            if kind == b"eXIf":
                return data[i + 8 : i + 8 + length]
            if kind == b"IDAT":
                return None
            i += 12 + length
    return None


def _gps_from_tiff(tiff: bytes) -> Position | None:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (ifd0,) = struct.unpack(order + "I", tiff[4:8])
    gps_offset = _entries(tiff, order, ifd0).get(_GPS_IFD_TAG)
    if gps_offset is None:
        return None
    gps = _entries(tiff, order, gps_offset[1])
    needed = (1, 2, 3, 4)
    if not all(tag in gps for tag in needed):
        return None
    lat = _degrees(tiff, order, gps[2])
    lon = _degrees(tiff, order, gps[4])
    lat_ref = _ascii(tiff, gps[1])
    lon_ref = _ascii(tiff, gps[3])
    if lat_ref == "S":
        lat = -lat
    if lon_ref == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return Position(round(lat, 6), round(lon, 6))


def _entries(tiff: bytes, order: str, offset: int) -> dict[int, tuple[int, int, int, bytes]]:
    """tag → (type, value-or-offset, count, raw 4 value bytes) of the IFD at ``offset``."""
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    if count > 500:
        raise ValueError("implausible IFD")
    entries = {}
    for n in range(count):
        start = offset + 2 + 12 * n
        tag, kind, number = struct.unpack(order + "HHI", tiff[start : start + 8])
        raw = tiff[start + 8 : start + 12]
        (value,) = struct.unpack(order + "I", raw)
        entries[tag] = (kind, value, number, raw)
    return entries


def _ascii(tiff: bytes, entry: tuple[int, int, int, bytes]) -> str:
    _kind, value, count, raw = entry
    data = raw if count <= 4 else tiff[value : value + count]
    return data.split(b"\x00")[0].decode("ascii", "replace").strip().upper()


def _degrees(tiff: bytes, order: str, entry: tuple[int, int, int, bytes]) -> float:
    kind, offset, count, _raw = entry
    if kind != 5 or count != 3:  # three RATIONALs: degrees, minutes, seconds
        raise ValueError("not a GPS coordinate")
    parts = struct.unpack(order + "6I", tiff[offset : offset + 24])
    d, m, s = (parts[i] / parts[i + 1] for i in (0, 2, 4))
    return d + m / 60 + s / 3600


# --- where the group is ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class Box:
    west: float
    east: float
    south: float
    north: float


@functools.cache
def regency_circles() -> dict[str, Circle]:
    with (DATA / "regency_centroids.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["regency"]: Circle(float(row["latitude"]), float(row["longitude"]), float(row["radius_km"]))
            for row in csv.DictReader(handle)
        }


@functools.cache
def province_boxes() -> dict[str, Box]:
    with (DATA / "province_bounds.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["province"]: Box(float(row["west"]), float(row["east"]), float(row["south"]), float(row["north"]))
            for row in csv.DictReader(handle)
        }


def km_between(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Placement:
    near: bool
    distance_km: float  # from the regency's circle edge or the province box (0 when inside)
    reference: str  # "regency" or "province" or "unknown"


def place(position: Position, *, regency_code: str) -> Placement:
    """Whether ``position`` lies in (or close to) the regency. A regency with no reference position
    at all (neither its own nor its province's) is never judged near: it goes to review."""
    circle = regency_circles().get(regency_code)
    if circle is not None:
        distance = km_between(position.latitude, position.longitude, circle.latitude, circle.longitude)
        outside = max(0.0, distance - circle.radius_km)
        return Placement(near=outside == 0, distance_km=round(outside, 1), reference="regency")
    box = province_boxes().get(regency_code.split(".")[0])
    if box is None:
        return Placement(near=False, distance_km=0.0, reference="unknown")
    lat = min(max(position.latitude, box.south), box.north)
    lon = min(max(position.longitude, box.west), box.east)
    distance = km_between(position.latitude, position.longitude, lat, lon)
    margin_km = PROVINCE_MARGIN_DEG * 111.0
    return Placement(near=distance <= margin_km, distance_km=round(distance, 1), reference="province")


def jpeg_with_position(latitude: float | None, longitude: float | None, *, body: bytes = b"") -> bytes:
    """A minimal JPEG carrying ``latitude``/``longitude`` in EXIF (none when ``None``): for the demo,
    the tests and the benchmark. The pixels are a 1×1 grey baseline image."""
    app1 = b""
    if latitude is not None and longitude is not None:
        app1 = _exif_segment(latitude, longitude)
    return b"\xff\xd8" + app1 + (body or _TINY_JPEG_BODY)


def _rational_triplet(value: float) -> bytes:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 100)
    return struct.pack("<6I", d, 1, m, 1, s, 100)


def _exif_segment(latitude: float, longitude: float) -> bytes:
    # TIFF header (little endian), IFD0 with one entry (the GPS IFD pointer), then the GPS IFD.
    ifd0_offset = 8
    gps_offset = ifd0_offset + 2 + 12 + 4
    gps_entries = 4
    data_offset = gps_offset + 2 + 12 * gps_entries + 4
    lat_ref = b"S\x00\x00\x00" if latitude < 0 else b"N\x00\x00\x00"
    lon_ref = b"W\x00\x00\x00" if longitude < 0 else b"E\x00\x00\x00"
    tiff = b"II*\x00" + struct.pack("<I", ifd0_offset)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", _GPS_IFD_TAG, 4, 1, gps_offset) + struct.pack("<I", 0)
    tiff += struct.pack("<H", gps_entries)
    tiff += struct.pack("<HHI", 1, 2, 2) + lat_ref
    tiff += struct.pack("<HHII", 2, 5, 3, data_offset)
    tiff += struct.pack("<HHI", 3, 2, 2) + lon_ref
    tiff += struct.pack("<HHII", 4, 5, 3, data_offset + 24)
    tiff += struct.pack("<I", 0)
    tiff += _rational_triplet(latitude) + _rational_triplet(longitude)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# A 1×1 baseline JPEG after its SOI marker (quantisation, Huffman tables, one scan, EOI).
_TINY_JPEG_BODY = bytes.fromhex(
    "ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c28"
    "37292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f00000105010101010101000000"
    "0000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131"
    "410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a43"
    "4445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999a"
    "a2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00d2cf20ffd9"
)
