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
