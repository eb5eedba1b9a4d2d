"""The registration form of a programme: on behalf of which organisation."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.services.registrations import Organisation, OrganisationKind
from municipalities.models import Municipality
from ngos.models import NGO


class RegistrationForm(forms.Form):
    """Choose one of the user's NGOs or municipalities; hidden when there is only one."""

    organisation = forms.ChoiceField(label=_("Register on behalf of"))

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        kwargs.setdefault("auto_id", "id_registration_%s")
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.key: organisation for organisation in organisations}
        field = self.fields["organisation"]
        field.choices = [
            (organisation.key, self._label(organisation)) for organisation in organisations
        ]
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].key
        else:
            field.choices = [("", gettext("Choose an organisation"))] + field.choices

    @staticmethod
    def _label(organisation: Organisation) -> str:
        if organisation.kind == OrganisationKind.MUNICIPALITY:
            return gettext("%(name)s (municipality)") % {"name": organisation.name}
        if not organisation.is_verified:
            return gettext("%(name)s (NGO, not verified yet)") % {"name": organisation.name}
        return gettext("%(name)s (NGO)") % {"name": organisation.name}

    def clean_organisation(self):
        """The chosen NGO or Municipality object."""
        organisation = self.organisations[self.cleaned_data["organisation"]]
        model = NGO if organisation.kind == OrganisationKind.NGO else Municipality
        try:
            return model.objects.get(pk=organisation.pk)
        except model.DoesNotExist:
            raise forms.ValidationError(
                gettext("This organisation no longer exists."), code="invalid_choice"
            ) from None

    def service_kwargs(self) -> dict:
        """The ``ngo``/``municipality`` arguments of ``event_register``."""
        organisation = self.cleaned_data["organisation"]
        if isinstance(organisation, NGO):
            return {"ngo": organisation, "municipality": None}
        return {"ngo": None, "municipality": organisation}
