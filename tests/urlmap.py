"""Every URL the project serves, found by walking the URLconf, with a concrete address for each.

The hardening tests (fuzzing, escaping, the permission matrix, CSRF) run over `endpoints()`, so a
page that lands later is covered without editing them. A pattern whose arguments cannot be filled
from the data in the database ends up in `unresolved()`, and a test fails until it is taught here."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

# Patterns that have no page of their own to test, each with the reason.
SKIPPED = {
    # The admin's catch-all: any unknown admin address, answered with a 404 or a login redirect.
    "admin:": "admin catch-all for unknown addresses",
}
# Patterns left out for now, each with the reason.
PENDING = {}


# Arguments that cannot be read off an object's get_absolute_url().
def _app_label():
    from django.contrib import admin

    labels = sorted({model._meta.app_label for model in admin.site._registry})
    return {"app_label": "ledger" if "ledger" in labels else labels[0]}


EXTRA_KWARGS = {
    "admin:app_list": _app_label,
    "ledger:data-package-table": lambda: {"table": "pledges"},
}


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str  # "namespace:name", or "" when the pattern has no name
    callback: object = field(compare=False, repr=False)
    params: tuple[str, ...] = ()

    def __deepcopy__(self, memo):  # read-only; Django's TestCase copies class data per test
        return self

    @property
    def is_admin(self):
        return self.name.startswith("admin:")

    @property
    def model_admin(self):
        from django.contrib.admin import ModelAdmin

        view = self.callback
        while view is not None:  # admin_view() and decorators wrap the ModelAdmin's bound method
            if getattr(view, "model_admin", None) is not None:
                return view.model_admin
            if isinstance(getattr(view, "__self__", None), ModelAdmin):
                return view.__self__
            view = getattr(view, "__wrapped__", None)
        return None


@dataclass(frozen=True)
class Endpoint:
    pattern: Pattern
    url: str

    def __deepcopy__(self, memo):
        return self

    @property
    def is_admin(self):
        return self.pattern.is_admin

    @property
    def name(self):
        return self.pattern.name

    def __str__(self):
        return f"{self.pattern.name or self.pattern.route} ({self.url})"


def _params(pattern):
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        named = tuple(pattern.regex.groupindex)
        # Unnamed groups are positional arguments: "_0", "_1", ...
        return named + tuple(f"_{i}" for i in range(pattern.regex.groups - len(named)))
    return ()


def _walk(resolver, prefix="", namespace="", params=()):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        here = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, route, ns, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else (namespace if namespace == "admin:" else "")
            yield Pattern(route=route, name=name, callback=entry.callback, params=here)


def patterns():
    return list(_walk(get_resolver()))


def _object_urls():
    """url name -> one concrete URL, from get_absolute_url() of the objects in the database."""
    found = {}
    for model in apps.get_models():
        if not hasattr(model, "get_absolute_url"):
            continue
        for obj in model._default_manager.all()[:3]:
            try:
                url = obj.get_absolute_url()
                match = resolve(urlsplit(url).path)
            except Exception:  # noqa: BLE001 - an unresolvable URL is reported by the coverage test
                continue
            found.setdefault(match.view_name, url)
    return found


def _admin_kwargs(pattern):
    model_admin = pattern.model_admin
    if model_admin is None:
        return None
    obj = model_admin.model._default_manager.order_by("pk").first()
    if obj is None:
        return None
    kwargs = {}
    for param in pattern.params:
        if param in ("object_id", "id", "pk"):
            kwargs[param] = str(obj.pk)
        else:
            return None
    return kwargs


def _history_version_url(pattern):
    """simple_history's page for one past version: positional (object id, history id)."""
    model = pattern.model_admin.model if pattern.model_admin else None
    record = model.history.order_by("history_id").first() if model is not None else None
    if record is None:
        return None
    try:
        return reverse(pattern.name, args=[getattr(record, model._meta.pk.attname), record.history_id])
    except NoReverseMatch:
        return None


def _view_on_site_kwargs(pattern):
    from django.contrib.contenttypes.models import ContentType

    for model in apps.get_models():
        if hasattr(model, "get_absolute_url"):
            obj = model._default_manager.first()
            if obj is not None:
                return {"content_type_id": ContentType.objects.get_for_model(model).pk, "object_id": obj.pk}
    return None


class UrlMap:
    """Concrete URLs for every pattern, built from what is in the database now."""

    def __deepcopy__(self, memo):
        return self

    def __init__(self):
        self.patterns = patterns()
        self.object_urls = _object_urls()
        self.unresolved = []
        self.endpoints = []
        for pattern in self.patterns:
            if (pattern.name in SKIPPED and pattern.params) or pattern.name in PENDING:
                continue
            url = self._url_for(pattern)
            if url is None:
                self.unresolved.append(pattern)
            else:
                self.endpoints.append(Endpoint(pattern, url))

    def _url_for(self, pattern):
        if not pattern.params:
            if pattern.name:
                try:
                    return reverse(pattern.name)
                except NoReverseMatch:
                    return None
            return "/" + pattern.route.lstrip("^").rstrip("$")
        if pattern.name in self.object_urls:
            return self.object_urls[pattern.name]
        kwargs = None
        if pattern.name in EXTRA_KWARGS:
            kwargs = EXTRA_KWARGS[pattern.name]()
        elif pattern.name == "admin:view_on_site":
            kwargs = _view_on_site_kwargs(pattern)
        elif pattern.is_admin and pattern.name.endswith("_simple_history"):
            return _history_version_url(pattern)
        elif pattern.is_admin:
            kwargs = _admin_kwargs(pattern)
        if kwargs is None or not pattern.name:
            return None
        try:
            return reverse(pattern.name, kwargs=kwargs)
        except NoReverseMatch:
            return None

    def public(self):
        return [e for e in self.endpoints if not e.is_admin]

    def admin(self):
        return [e for e in self.endpoints if e.is_admin]


class _PageParser(HTMLParser):
    """The query parameters a page offers: its GET forms' fields and its links' query strings."""

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.params = {}  # name -> set of values seen (options, link values)
        self.fields = {}  # name -> kind: "select", "number", "date", "text", ...
        self.options = {}  # select name -> allowed values
        self._form_is_get = False
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form_is_get = (attrs.get("method") or "get").lower() == "get"
        elif tag == "a" and attrs.get("href"):
            parts = urlsplit(attrs["href"])
            if parts.query and (not parts.path or parts.path == self.path):
                for name, value in parse_qsl(parts.query, keep_blank_values=True):
                    self.params.setdefault(name, set()).add(value)
        elif self._form_is_get and tag in ("input", "select", "textarea") and attrs.get("name"):
            name = attrs["name"]
            kind = tag if tag != "input" else (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self.fields[name] = kind
            self.params.setdefault(name, set()).add(attrs.get("value") or "")
            if tag == "select":
                self._select = name
                self.options.setdefault(name, set())
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self.options[self._select].add(value)
            self.params[self._select].add(value)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form_is_get = False
        elif tag == "select":
            self._select = None


@dataclass
class PageParams:
    names: list
    values: dict
    fields: dict
    options: dict


def page_params(url, html):
    parser = _PageParser(urlsplit(url).path)
    parser.feed(html)
    return PageParams(
        names=sorted(parser.params),
        values={k: sorted(v) for k, v in parser.params.items()},
        fields=parser.fields,
        options={k: sorted(v) for k, v in parser.options.items()},
    )


def export_links(url, html):
    """Links on a page that look like exports (CSV, xlsx, JSON), same site only."""
    hrefs = re.findall(r'href="([^"]+)"', html)
    out = []
    for href in hrefs:
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.netloc:
            continue
        text = href.lower()
        if any(token in text for token in ("csv", "xlsx", "json", "export")) and "/admin/" not in parts.path:
            out.append(href if parts.path else urlsplit(url).path + href)
    return sorted(set(out))
