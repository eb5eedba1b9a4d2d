"""Form fields shared by the apps."""

from django import forms
from django.forms.models import ModelChoiceIterator

from portal.models import person_sort_key


class PersonChoiceIterator(ModelChoiceIterator):
    """The people of the queryset in Turkish alphabetical order of their names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in sorted(self.queryset, key=person_sort_key):
            yield self.choice(user)


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of one person, listed by name in Turkish order (the database cannot sort them)."""

    iterator = PersonChoiceIterator

    def label_from_instance(self, obj):
        return str(obj)
