"""Shapes of the write endpoints' requests and answers (for the schema and for parsing the simple
parts); the writes themselves go through services."""

from rest_framework import serializers

from applications.forms import COMPLETE_SUBMISSION_DOCUMENTS


class SubmissionRequestSerializer(serializers.Serializer):
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
