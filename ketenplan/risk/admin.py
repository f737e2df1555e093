"""Administrators load instruments (and new versions) as YAML, and choose per region which
instruments its weighing uses. Assessments and guides hold personal data: never here."""

import yaml
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ketenplan.core.admin import AdministratorOnlyAdmin

from . import schema, services
from .models import Instrument, RegionInstrument


class InstrumentForm(forms.ModelForm):
    """Add an instrument, or load a new version of one, from YAML pasted or uploaded.

    The YAML is checked exactly as ``load_instruments`` checks a file; every problem is
    shown on the form (with its line) and nothing is saved until there are none.
    """

    yaml_text = forms.CharField(
        label=_("Definition (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        help_text=_("Paste the instrument here, or upload a file below. The format is described "
                    "in ketenplan/risk/instruments/README.md."),
    )
    yaml_file = forms.FileField(
        label=_("or upload a YAML file"),
        required=False,
        help_text=_("Used instead of the text above when given."),
    )

    class Meta:
        model = Instrument
        fields = ["is_active"]

    def clean_yaml_file(self):
        upload = self.cleaned_data.get("yaml_file")
        if upload is None:
            return None
        if upload.size > schema.MAX_DEFINITION_CHARS:
            raise ValidationError(
                _("The file is larger than %(limit)s KB."),
                params={"limit": schema.MAX_DEFINITION_CHARS // 1024},
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("yaml_file") or cleaned.get("yaml_text") or ""
        adding = self.instance.pk is None
        cleaned["definition_text"] = ""
        if not text.strip():
            if adding and not self.has_error("yaml_file"):
                self.add_error("yaml_text", _("Paste or upload the instrument's definition."))
            return cleaned
        field = "yaml_file" if cleaned.get("yaml_file") else "yaml_text"
        try:
            definition = services.instrument_check(
                text=text, expected_key=None if adding else self.instance.key
            )
        except ValidationError as exc:
            self.add_error(field, exc.messages)
            return cleaned
        if adding and Instrument.objects.filter(key=definition["key"]).exists():
            self.add_error(field, _("An instrument with key “%(key)s” exists already; open it to load "
                                    "a new version.") % {"key": definition["key"]})
        cleaned["definition_text"] = text
        return cleaned


@admin.register(Instrument)
class InstrumentAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    form = InstrumentForm
    list_display = ["key", "name_nl", "name_en", "current_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["key", "name_nl", "name_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current_version")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["yaml_text", "yaml_file"]})]
        return [
            (None, {"fields": ["key", "name_nl", "name_en", "current_number", "is_active", "version_list"]}),
            (_("Current definition"), {"fields": ["definition_yaml"]}),
            (
                _("Load a new version"),
                {
                    "fields": ["yaml_text", "yaml_file"],
                    "description": _("Leave empty to keep the current version. A new version must "
                                     "have the same key and a higher version number; assessments "
                                     "made so far keep the version they were made with."),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["key", "name_nl", "name_en", "current_number", "version_list", "definition_yaml"]

    @admin.display(description=_("version"))
    def current_number(self, obj):
        return obj.current_version.number if obj.current_version_id else "—"

    @admin.display(description=_("versions loaded"))
    def version_list(self, obj):
        rows = obj.versions.select_related("loaded_by").order_by("-number")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} {} · {} · {}</li>",
                ((_("version"), v.number, v.loaded_at.strftime("%Y-%m-%d %H:%M"),
                  v.loaded_by or v.source) for v in rows),
            ),
        )

    @admin.display(description=_("definition as loaded"))
    def definition_yaml(self, obj):
        if not obj.current_version_id:
            return "—"
        text = yaml.safe_dump(obj.current_version.definition, allow_unicode=True, sort_keys=False)
        return format_html("<pre>{}</pre>", text)

    def save_model(self, request, obj, form, change):
        text = form.cleaned_data["definition_text"]
        if text:
            result = services.instrument_load(
                text=text, actor=request.user, request=request, source="admin",
                expected_key=obj.key if change else None,
            )
            obj.pk = result.instrument.pk
        if change:
            services.instrument_set_active(
                actor=request.user, instrument=Instrument.objects.get(pk=obj.pk),
                is_active=form.cleaned_data["is_active"], request=request,
            )
        obj.refresh_from_db()


@admin.register(RegionInstrument)
class RegionInstrumentAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["region", "instrument", "order", "is_active"]
    list_filter = ["region", "is_active"]
    fields = ["region", "instrument", "order", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["region", "instrument"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.region_instrument_save(actor=request.user, choice=obj, request=request)
