import yaml
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ketenplan.core.admin import AdministratorOnlyAdmin

from . import definitions, services
from .models import LifeDomain, MethodProfile


class MethodProfileForm(forms.ModelForm):
    """Add a profile, or load a new version of one, from YAML pasted or uploaded.

    The YAML is checked exactly as ``load_methods`` checks a file; every problem is shown
    on the form and nothing is saved until there are none.
    """

    yaml_text = forms.CharField(
        label=_("Definition (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        help_text=_("Paste the profile here, or upload a file below. The format is described "
                    "in ketenplan/methods/profiles/README.md."),
    )
    yaml_file = forms.FileField(
        label=_("or upload a YAML file"),
        required=False,
        help_text=_("Used instead of the text above when given."),
    )

    class Meta:
        model = MethodProfile
        fields = ["is_active"]

    def clean_yaml_file(self):
        upload = self.cleaned_data.get("yaml_file")
        if upload is None:
            return None
        if upload.size > definitions.MAX_DEFINITION_CHARS:
            raise ValidationError(
                _("The file is larger than %(limit)s KB."),
                params={"limit": definitions.MAX_DEFINITION_CHARS // 1024},
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("yaml_file") or cleaned.get("yaml_text") or ""
        adding = self.instance.pk is None
        if not text.strip():
            if adding and not self.has_error("yaml_file"):
                self.add_error("yaml_text", _("Paste or upload the profile's definition."))
            cleaned["definition_text"] = ""
            return cleaned
        field = "yaml_file" if cleaned.get("yaml_file") else "yaml_text"
        try:
            services.profile_check(
                text=text,
                expected_key=None if adding else self.instance.key,
                create_only=adding,
            )
        except ValidationError as exc:
            self.add_error(field, exc.messages)
        cleaned["definition_text"] = text
        return cleaned


@admin.register(MethodProfile)
class MethodProfileAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    form = MethodProfileForm
    list_display = ["key", "name_nl", "name_en", "version", "is_active", "loaded_at"]
    list_filter = ["is_active"]
    search_fields = ["key", "name_nl", "name_en"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["yaml_text", "yaml_file"]})]
        return [
            (None, {"fields": ["key", "name_nl", "name_en", "version", "loaded_at", "is_active"]}),
            (_("Definition"), {"fields": ["definition_yaml"]}),
            (
                _("Load a new version"),
                {
                    "fields": ["yaml_text", "yaml_file"],
                    "description": _("Leave empty to keep the definition. A new version "
                                     "must have the same key and a higher version number."),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["key", "name_nl", "name_en", "version", "loaded_at", "definition_yaml"]

    @admin.display(description=_("definition as loaded"))
    def definition_yaml(self, obj):
        text = yaml.safe_dump(obj.definition, allow_unicode=True, sort_keys=False)
        return format_html("<pre>{}</pre>", text)

    def save_model(self, request, obj, form, change):
        text = form.cleaned_data["definition_text"]
        if text:
            result = services.profile_load(
                text=text,
                actor=request.user,
                request=request,
                source="admin",
                expected_key=obj.key if change else None,
                create_only=not change,
            )
            obj.pk = result.profile.pk
        if change:
            services.profile_set_active(
                actor=request.user,
                profile=MethodProfile.objects.get(pk=obj.pk),
                is_active=form.cleaned_data["is_active"],
                request=request,
            )
        obj.refresh_from_db()


@admin.register(LifeDomain)
class LifeDomainAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["key", "name_nl", "name_en", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["key", "name_nl", "name_en"]
    fields = ["key", "name_nl", "name_en", "order", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # Keys are stable identifiers others may refer to; add a new domain instead.
        return ["key"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.life_domain_save(actor=request.user, domain=obj, request=request)
