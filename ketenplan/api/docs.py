"""The OpenAPI schema and its browsable docs, served locally (no CDN) to signed-in users."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    access_policy = "api.read_schema"


class DocsView(SpectacularSwaggerSplitView):
    access_policy = "api.read_schema"
