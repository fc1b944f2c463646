"""Pagination without COUNT(*): django-tables2's LazyPaginator, with the page size and the page
depth bounded so that no URL makes the database skip through the whole ledger."""

from django.core.paginator import EmptyPage
from django_tables2.paginators import LazyPaginator

MAX_PER_PAGE = 100
MAX_PAGE = 400


class BoundedLazyPaginator(LazyPaginator):
    def __init__(self, object_list, per_page, *args, **kwargs):
        per_page = max(1, min(int(per_page), MAX_PER_PAGE))
        self.requested_page = None
        super().__init__(object_list, per_page, *args, **kwargs)

    def page(self, number):
        """A page past the last raises EmptyPage (django-tables2 then serves another page); the
        requested number is kept so the page can say which one it served instead."""
        try:
            return super().page(number)
        except EmptyPage:
            self.requested_page = self.requested_page or number
            raise

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > MAX_PAGE:
            self.requested_page = number
            return MAX_PAGE
        return number
