"""drf-spectacular's view of the API: the bearer API key as the security scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "jps_<key id>_<secret>",
            "description": "Kunci API dari admin portal (Sistem mitra → Klien API). Lihat docs/api.md.",
        }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json). Lihat docs/api.md, 'Katalog kesalahan'.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Pada 400 dan 422: pesan per parameter atau per bagian isi (daftar, atau per baris).",
        },
    },
}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
_DESCRIPTIONS = {
    "400": "Parameter tidak valid",
    "401": "Kunci API tidak ada, tidak valid, dicabut atau kedaluwarsa",
    "403": "Klien tidak memiliki hak akses (scope) operasi ini",
    "404": "Tidak ditemukan, atau di luar lingkup wilayah klien",
    "429": "Batas panggilan per menit terlampaui (lihat header Retry-After)",
    "409": "Permintaan dengan Idempotency-Key yang sama sedang diproses, atau keadaan data tidak memungkinkan",
    "413": "Isi permintaan melebihi batas (JSON 10 MB; berkas lihat docs/api.md)",
    "422": "Isi ditolak (lihat errors), atau Idempotency-Key sudah dipakai untuk isi lain",
}
_WRITE_CODES = ["400", "401", "403", "409", "413", "422", "429"]


def add_problem_responses(result: dict, generator: object, request: object, public: bool) -> dict:
    """Every operation documents its error answers as problem details, and its ETag / 304."""
    result.setdefault("components", {}).setdefault("schemas", {})["ProblemDetails"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "post":
                responses = operation.setdefault("responses", {})
                for code in _WRITE_CODES + (["404"] if "{" in path else []):
                    responses.setdefault(code, {"description": _DESCRIPTIONS[code], "content": _PROBLEM_CONTENT})
                continue
            if method != "get":
                continue
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "429"] + (["404"] if "{" in path or path.endswith("/tallies/") else [])
            for code in codes:
                responses.setdefault(code, {"description": _DESCRIPTIONS[code], "content": _PROBLEM_CONTENT})
            responses.setdefault("304", {"description": "Tidak berubah sejak ETag yang dikirim di If-None-Match"})
            ok = responses.get("200")
            if ok is not None:
                ok.setdefault("headers", {})["ETag"] = {"schema": {"type": "string"}}
    return result
