"""The filter forms' fast <select> writes exactly the markup Django's own Select writes."""

from django import forms
from django.test import TestCase

from ledger.filters.base import FastSelect, FastSelectMultiple
from ledger.filters.pledges import PledgeFilterSet
from tests import factories


class DjangoSelect(forms.Select):
    pass


class DjangoSelectMultiple(forms.SelectMultiple):
    pass


def django_twin(widget):
    twin = (DjangoSelectMultiple if widget.allow_multiple_selected else DjangoSelect)(attrs=widget.attrs)
    twin.choices = widget.choices
    return twin


class FastSelectMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for code, name, *kind in [
            ("CHN", "China"),
            ("CUB", "Cuba"),
            ("ATT", "<b>Tom & Jerry</b>", {"kind": "international_org"}),
        ]:
            factories.actor(code, name, **(kind[0] if kind else {}))

    def assert_same_markup(self, query: dict):
        form = PledgeFilterSet(query, queryset=None).form
        form.is_valid()
        selects = [bound for bound in form if isinstance(bound.field.widget, FastSelect)]
        self.assertGreaterEqual(len(selects), 4)  # donor, recipient, kind, status at least
        for bound in selects:
            widget = bound.field.widget
            attrs = bound.build_widget_attrs({"id": bound.auto_id})
            fast = widget.render(bound.html_name, bound.value(), attrs=attrs)
            slow = django_twin(widget).render(bound.html_name, bound.value(), attrs=attrs)
            self.assertHTMLEqual(fast, slow)
            self.assertEqual(fast.count("<option"), slow.count("<option"))

    def test_nothing_selected(self):
        self.assert_same_markup({})

    def test_several_selected_and_escaped_names(self):
        self.assert_same_markup({"donor": ["CHN", "ATT"], "recipient": ["CUB"], "kind": ["grant", "in_kind"]})
        html = PledgeFilterSet({"donor": ["ATT"]}, queryset=None).form["donor"].as_widget()
        self.assertIn("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;", html)
        self.assertRegex(html, r'<option value="ATT" selected>')

    def test_single_choice_marks_only_first_match(self):
        widget = FastSelect(choices=[("a", "A"), ("a", "A again"), ("b", "B")])
        self.assertEqual(widget.render("x", "a").count("selected"), 1)
        self.assertHTMLEqual(widget.render("x", "a"), DjangoSelect(choices=widget.choices).render("x", "a"))

    def test_optgroups(self):
        choices = [("", "any"), ("Europe", [("ESP", "Spain"), ("FRA", "France")]), ("CUB", "Cuba")]
        for fast_class, slow_class in [(FastSelect, DjangoSelect), (FastSelectMultiple, DjangoSelectMultiple)]:
            fast = fast_class(choices=choices)
            slow = slow_class(attrs=fast.attrs, choices=choices)
            for value in (None, "FRA", ["FRA", "CUB"]):
                if isinstance(value, list) and not fast.allow_multiple_selected:
                    continue
                self.assertHTMLEqual(fast.render("x", value), slow.render("x", value))
