"""Integer lookups that cope with numbers beyond the column's range.

Hostile input such as ``?province=99999999999999999999`` or a multiple choice of
``activity_fields=99999999999999999999`` ends in ``province_id=…`` or ``pk__in=[…]``: SQLite
raised OverflowError (a server error) for such numbers. They cannot match any row, so they are
left out, as Django already does for ``exact``, ``gt``, ``lt`` on integer fields themselves
(``django.db.models.lookups.IntegerFieldOverflow``): here for ``in`` and for foreign keys.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _in_range(value, field, connection) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    target = getattr(field, "target_field", field) if field.is_relation else field
    try:
        low, high = connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class _DropOutOfRangeValues:
    def as_sql(self, compiler, connection):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str | bytes):
            field = self.lhs.output_field
            if isinstance(self.rhs, list | tuple | set | frozenset):
                self.rhs = [value for value in self.rhs if _in_range(value, field, connection)]
                if not self.rhs:
                    raise EmptyResultSet
            elif not _in_range(self.rhs, field, connection):
                raise EmptyResultSet
        return super().as_sql(compiler, connection)


@IntegerField.register_lookup
class IntegerFieldIn(_DropOutOfRangeValues, In):
    pass


@ForeignObject.register_lookup
class SafeRelatedIn(_DropOutOfRangeValues, RelatedIn):
    pass


@ForeignObject.register_lookup
class SafeRelatedExact(_DropOutOfRangeValues, RelatedExact):
    pass
