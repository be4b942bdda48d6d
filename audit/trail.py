"""Before → after for a page (or an export chunk) of history records, without a query per row.

simple-history's ``prev_record`` costs one query per record; here the versions of every object on
the page are read in one query and each record is paired with the version just before it."""

from bisect import bisect_left
from collections import defaultdict

from django.db.models import Model
from django.utils.translation import gettext as _

from jps_portal.labels import field_value

# Bookkeeping fields whose change says nothing to an auditor.
NOT_SHOWN = frozenset({"created_at", "updated_at"})


def attach_previous(records: list[Model]) -> None:
    """Set ``previous`` on each record: the version of the same object just before it, or ``None``."""
    if not records:
        return
    model = type(records[0])
    object_pk = model.instance_type._meta.pk.attname
    object_ids = {getattr(record, object_pk) for record in records}
    latest = max(record.history_date for record in records)
    versions = (
        model._default_manager.filter(**{f"{object_pk}__in": object_ids}, history_date__lte=latest)
        .order_by(object_pk, "history_date", "history_id")
        .only(*_diff_field_names(model), object_pk, "history_id", "history_date", "history_type")
    )
    by_object: dict[object, list[Model]] = defaultdict(list)
    for version in versions:
        by_object[getattr(version, object_pk)].append(version)
    for record in records:
        history = by_object[getattr(record, object_pk)]
        keys = [(version.history_date, version.history_id) for version in history]
        position = bisect_left(keys, (record.history_date, record.history_id))
        record.previous = history[position - 1] if position > 0 else None


def describe_changes(record: Model) -> str:
    """``field: before → after; …`` for a change, a word for a creation or a deletion."""
    if record.history_type == "+":
        return _("dibuat")
    if record.history_type == "-":
        return _("dihapus")
    previous = getattr(record, "previous", None)
    if previous is None:
        return ""
    delta = record.diff_against(previous, included_fields=_diff_field_names(type(record)))
    opts = type(record)._meta
    parts = []
    for change in delta.changes:
        field = opts.get_field(change.field)
        # Labels, rupiah and Jakarta time, not raw codes, bare integers and UTC ISO (jps_portal.labels).
        parts.append(f"{field.verbose_name}: {field_value(field, change.old)} → {field_value(field, change.new)}")
    return "; ".join(parts)


def _diff_field_names(model: type[Model]) -> list[str]:
    return [field.name for field in model.tracked_fields if field.editable and field.name not in NOT_SHOWN]
