"""A browser's side of HTTP for the benchmarks: one keep-alive connection with its cookies, and the
fields of a form as a browser submits them (bench/load.py's editors, bench/run.py's admin save)."""

import http.client
import re
import time
import urllib.parse
from html.parser import HTMLParser


class Browser:
    """One keep-alive connection with its cookies, like one browser tab."""

    def __init__(self, port, timeout=60):
        self.port, self.timeout = port, timeout
        self.cookies = {}
        self.conn = None

    def request(self, method, path, body=None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Referer": f"https://127.0.0.1:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode([tuple(pair) for pair in body]).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                elapsed = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection (a worker was recycled): a
                # browser reconnects and sends again; a request that was never answered is safe.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, response.getheader("Location", ""), content, elapsed


class FormParser(HTMLParser):
    """The fields of one form as the browser would submit them."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None
        self._selected = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file", "image", "reset"}:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append([name, attrs.get("value", "on")])
            else:
                self.data.append([name, attrs.get("value", "")])
        elif tag == "select" and name:
            self._select, self._selected = name, None
        elif tag == "option" and self._select and "selected" in attrs:
            self._selected = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            self.data.append([self._select, self._selected or ""])
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self.data.append(self._textarea)
            self._textarea = None


def form_fields(html, form_id=None):
    parser = FormParser(form_id)
    parser.feed(html.decode())
    return parser.data


def set_field(fields, name, value):
    for pair in fields:
        if pair[0] == name:
            pair[1] = value
            return
    fields.append([name, value])


def errors_in(body):
    found = re.findall(rb'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body or b"", re.S)
    return re.sub(r"<[^>]+>", " ", b" ".join(found).decode(errors="replace")).strip()[:300]
