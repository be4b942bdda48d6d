"""The base of every export resource: each cell goes through ``cell_safe`` and rows are read in
chunks, whichever path exports them (the admin's export page, the streaming downloads, the audit
trail)."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import Model, QuerySet
from import_export import resources
from import_export.fields import Field

from spreadsheets.cells import cell_safe, xlsx_safe

CHUNK_SIZE = 2000


def chunked(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SpreadsheetResource(resources.ModelResource):
    """Export-only resource. Subclasses declare their fields, say in ``export_queryset`` how to read
    the rows in one query (``select_related``, SQL annotations), and may load what a whole chunk of
    rows needs at once in ``prepare_chunk``."""

    chunk_size = CHUNK_SIZE
    # Attributes holding rupiah: the people-facing XLSX gives them a Rupiah number format.
    money_fields: tuple[str, ...] = ()

    def get_chunk_size(self) -> int:
        return self.chunk_size

    def export_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def prepare_chunk(self, objects: list[Model]) -> None:
        """Load what the rows of one chunk need, in one query for the chunk (never one per row)."""

    # --- import-export hooks: every export path runs through these -------------------------------

    def filter_export(self, queryset: QuerySet, **kwargs: object) -> QuerySet:
        return self.export_queryset(queryset)

    def iter_queryset(self, queryset: QuerySet) -> Iterator[Model]:
        # ``iterator`` keeps memory flat on big tables (no prefetch_related here: everything a row
        # shows is joined or annotated in the one query, or loaded per chunk).
        for chunk in chunked(queryset.iterator(chunk_size=self.get_chunk_size()), self.get_chunk_size()):
            self.prepare_chunk(chunk)
            yield from chunk

    def export_field(self, field: Field, instance: Model, **kwargs: object) -> object:
        value = super().export_field(field, instance, **kwargs)
        # Binary formats (XLSX) get native values, and must also drop what XLSX cannot hold.
        return xlsx_safe(value) if kwargs.get("force_native_type") else cell_safe(value)

    # --- streaming ------------------------------------------------------------------------------

    def iter_rows(self, queryset: QuerySet, *, native: bool) -> Iterator[list]:
        """The header row, then one row per object, read chunk by chunk. ``native`` keeps numbers
        and dates as such (XLSX); otherwise every cell is rendered as text (CSV)."""
        yield self.get_export_headers()
        for instance in self.iter_queryset(self.filter_export(queryset)):
            yield self.export_resource(instance, force_native_type=native)
