"""The one door to personal data: `Model.objects.visible_to(user)` (docs/architecture.md §4, docs/architecture.md §6 rule 4).

A model's queryset says how it reaches a kelurahan (`kelurahan_lookup`); the user says which kelurahan it
may see (`user.kelurahan_scope()`: None for all, a list of ids otherwise). Models reached in other ways
(an institution's rounds, a counsellor's cases) override `visible_to` and may combine with this one.
"""

from django.db import models

from core.access import is_signed_in


class ScopedQuerySet(models.QuerySet):
    #: Path from the model to core.Kelurahan, e.g. "kelurahan" or "household__kelurahan".
    kelurahan_lookup: str = "kelurahan"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        return self.in_kelurahan_scope(user)

    def in_kelurahan_scope(self, user):
        scope = user.kelurahan_scope()
        if scope is None:
            return self
        if not scope:
            return self.none()
        return self.filter(**{f"{self.kelurahan_lookup}__in": scope})
