"""Shapes of the write endpoints' requests and answers (for the schema and for parsing the simple
parts); the writes themselves go through services."""

from rest_framework import serializers

from applications.forms import COMPLETE_SUBMISSION_DOCUMENTS


class SubmissionPartsSerializer(serializers.Serializer):
    data = serializers.CharField(
        help_text=(
            'JSON: {"applicant": "<login akun ketua>", "scheme": <id>, "group": {...}, "members": [{...}], '
            '"proposal": {...}} — sama seperti POST /pengajuan/lengkap/ portal.'
        )
    )

    def get_fields(self) -> dict:
        fields = super().get_fields()
        for kind in COMPLETE_SUBMISSION_DOCUMENTS:
            fields[kind] = serializers.FileField(required=False, help_text="PDF, JPG atau PNG")
        return fields


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    created = serializers.BooleanField(help_text="false: pengajuan ketua ini sudah ada dan dikembalikan apa adanya")
    url = serializers.CharField()


class MemberListUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV atau XLSX dengan kolom templat admin (lihat docs/api.md)")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Nomor baris di berkas (judul kolom = baris 1)")
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class MemberListJobSerializer(serializers.Serializer):
    """A member-list job as the admin's preview page shows it: counts, the first errors, warnings."""

    id = serializers.IntegerField()
    status = serializers.CharField(
        help_text="uploaded, validating, validated (siap dikonfirmasi), invalid, importing, imported, failed"
    )
    original_name = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_with_errors = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True, help_text="200 kesalahan pertama")
    warnings = serializers.ListField(child=serializers.CharField())
    groups_new = serializers.IntegerField()
    members_new = serializers.IntegerField()
    applications_new = serializers.IntegerField()
    groups_existing = serializers.IntegerField()
    rows_existing = serializers.IntegerField()
    failure = serializers.CharField()
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class BankResultLineSerializer(serializers.Serializer):
    """One line of the bank's result, the columns of the admin's result file (checked by the same rules)."""

    payment_reference = serializers.CharField(help_text="Referensi pembayaran dari berkas transfer, mis. JPS-PAY-…")
    status = serializers.ChoiceField(choices=["paid", "failed", "returned"])
    reason_code = serializers.CharField(required=False, allow_blank=True, help_text="Wajib bila failed")
    transfer_date = serializers.CharField(required=False, allow_blank=True, help_text="TTTT-BB-HH; wajib bila paid")
    bank_transaction_id = serializers.CharField(required=False, allow_blank=True, help_text="Wajib bila paid")
    amount = serializers.IntegerField(min_value=1, help_text="Rupiah bulat")


# A JSON body is capped by DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB, about 65,000 lines); a bigger answer
# is sent as the result file itself (multipart, up to bankfiles.MAX_RESULT_FILE_BYTES).
MAX_BANK_RESULT_LINES = 100_000


class BankResultsSerializer(serializers.Serializer):
    file_name = serializers.CharField(
        required=False, max_length=200, help_text="Nama kiriman untuk antrean pengecualian dan audit"
    )
    lines = BankResultLineSerializer(many=True, help_text=f"1–{MAX_BANK_RESULT_LINES:,} baris")


class BankResultsFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Berkas hasil bank (CSV atau XLSX) seperti di admin, sampai 20 MB")
    file_name = serializers.CharField(required=False, max_length=200)


class BankResultsReportSerializer(serializers.Serializer):
    """What the reconciliation did (the admin's import summary, as numbers)."""

    file_name = serializers.CharField()
    rows = serializers.IntegerField()
    paid = serializers.IntegerField()
    paid_amount = serializers.IntegerField()
    failed = serializers.IntegerField()
    returned = serializers.IntegerField()
    already_applied = serializers.IntegerField(help_text="Baris yang hasilnya sudah diterapkan sebelumnya")
    exceptions = serializers.IntegerField(help_text="Baris ke antrean pengecualian (referensi tak dikenal, …)")
    exceptions_new = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="0: kiriman ini tidak mengubah apa pun")
    batches_reconciled = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
