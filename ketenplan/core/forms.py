from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one,
    otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


__all__ = ["NON_FIELD_ERRORS", "apply_validation_error"]


class AccessibleBoundField(BoundField):
    """Link every field to its error list for screen readers (``aria-describedby``)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            error_id = f"{self.auto_id}_errors"
            described = attrs.get("aria-describedby", "")
            if error_id not in described:
                attrs["aria-describedby"] = f"{described} {error_id}".strip()
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = AccessibleBoundField
