"""`field__any=values`: membership in a list, passed to PostgreSQL as one array.

Django writes `field__in` as `IN (%s, %s, ...)`, one placeholder per value. With its default
client-side binding psycopg then parses the query's placeholders anew for every query too long to
keep parsed: in the deadline sweep the `IN` lists of a 1,000-deadline batch cost more CPU than
what the queries did. `= ANY(%s)` binds the list as one value. Other databases get `IN`.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


@Field.register_lookup
@ForeignObject.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", (*params, list(self.rhs))
