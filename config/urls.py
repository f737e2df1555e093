from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from ketenplan.accounts import views as account_views
from ketenplan.core import views as core_views

admin.site.site_header = "Ketenplan"
admin.site.site_title = "Ketenplan"
# The admin's own login form would sign in with the password alone, skipping the second
# factor and the lockout: send everybody through allauth's sign-in instead.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibility/", core_views.accessibility_statement, name="accessibility"),
    path("invitation/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("ketenplan.accounts.urls")),
    path("persons/", include("ketenplan.persons.urls")),
    path("cases/", include("ketenplan.cases.urls")),
    path("cases/", include("ketenplan.dossier.urls")),
    path("cases/", include("ketenplan.plans.urls")),
    path("cases/", include("ketenplan.consent.urls")),
    path("methods/", include("ketenplan.methods.urls")),
    path("meetings/", include("ketenplan.meetings.urls")),
    path("cases/", include("ketenplan.risk.urls")),
    path("reporting-code/", include("ketenplan.risk.reporting_urls")),
    path("api/", include("ketenplan.api.urls")),
    path("bench/", include("ketenplan.benchmark.urls")),
    path("", include("ketenplan.overview.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
