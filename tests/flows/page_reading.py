"""Reading a rendered page as its user reads it: the text of the main area, the message bar,
each form field with its label and error, the links and buttons; and filling in a record form."""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Text inside these is not read as page text: scripts, styles and the flow chart's drawing.
_SKIPPED = {"script", "style", "svg", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Field:
    """A form field as viewflow renders it: <vf-field-… name label value error help-text>."""

    name: str
    label: str = ""
    value: str = ""
    error: str = ""
    help_text: str = ""
    options: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skip = 0
        self.in_main = 0
        self.in_snackbar = 0
        self.main_text: list[str] = []
        self.snackbar_text: list[str] = []
        self.fields: dict[str, Field] = {}
        self.hidden: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self._link: list | None = None
        self.errors: list[str] = []
        self._error_depth = 0
        self._error_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag.startswith("vf-field") and "name" in attributes:
            options = re.findall(r'"label": "((?:[^"\\]|\\.)*)"', attributes.get("optgroups", ""))
            self.fields[attributes["name"]] = Field(
                name=attributes["name"],
                label=attributes.get("label", ""),
                value=attributes.get("value", ""),
                error=attributes.get("error", ""),
                help_text=attributes.get("help-text", ""),
                options=[option.encode().decode("unicode_escape") for option in options],
            )
        if tag == "input" and attributes.get("name") and attributes.get("type") == "hidden":
            self.hidden[attributes["name"]] = attributes.get("value", "")
        elif tag == "input" and attributes.get("name"):
            self.fields.setdefault(attributes["name"], Field(name=attributes["name"], value=attributes.get("value", "")))
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag in _SKIPPED:
            self.skip += 1
        if tag == "main":
            self.in_main += 1
        if tag == "vf-snackbar":
            self.in_snackbar += 1
        if tag == "a" and "href" in attributes:
            self._link = [attributes["href"], []]
        classes = attributes.get("class", "").split()
        if self._error_depth:
            self._error_depth += 1
        elif {"xj-errors", "vf-form__errors"} & set(classes):
            self._error_depth = 1
            self._error_text = []

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if top in _SKIPPED:
                self.skip -= 1
            if top == "main":
                self.in_main -= 1
            if top == "vf-snackbar":
                self.in_snackbar -= 1
            if top == "a" and self._link is not None:
                self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
                self._link = None
            if self._error_depth:
                self._error_depth -= 1
                if not self._error_depth:
                    self.errors.append(" ".join("".join(self._error_text).split()))
            if top == tag:
                break

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_main:
            self.main_text.append(data)
        if self.in_snackbar:
            self.snackbar_text.append(data)
        if self._link is not None:
            self._link[1].append(data)
        if self._error_depth:
            self._error_text.append(data + " ")


class Page:
    """A response as its reader sees it."""

    def __init__(self, response):
        self.response = response
        self.html = response.content.decode()
        reader = _Reader()
        reader.feed(self.html)
        self.text = " ".join("".join(reader.main_text).split())
        self.message = " ".join("".join(reader.snackbar_text).split())
        self.fields = reader.fields
        self.hidden = reader.hidden
        self.links = reader.links
        # The error boxes above a form: messages not tied to one field.
        self.form_errors = [error for error in reader.errors if error]

    def form_data(self) -> dict[str, str]:
        """What submitting the page's form unchanged sends: hidden inputs and each field's value."""
        return {**self.hidden, **{name: field.value for name, field in self.fields.items()}}

    def field(self, name: str) -> Field:
        return self.fields[name]

    def link_texts(self) -> list[str]:
        return [text for _href, text in self.links]

    def has_link(self, href: str) -> bool:
        return any(link_href == href or link_href.startswith(href + "?") for link_href, _text in self.links)

    def link_to(self, href: str) -> str | None:
        for link_href, text in self.links:
            if link_href == href:
                return text
        return None

    def chart_classes(self) -> dict[str, str]:
        """The flow chart's nodes and how each is marked: {"approve_by_bureau": "new", …}."""
        svg = re.search(r"<svg.*?</svg>", self.html, re.DOTALL)
        if svg is None:
            return {}
        return {
            node: status
            for node, status in re.findall(r'<g id="(\w+)" transform="[^"]*"(?: class="(\w+)")?>', svg.group(0))
        }

    def definitions(self) -> dict[str, str]:
        """The page's label → value lists (<dt>/<dd>), as text; a label seen twice keeps the first."""
        pairs = {}
        for label, value in re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", self.html, re.DOTALL):
            pairs.setdefault(_text(label), _text(value))
        return pairs

    def chart_edge_labels(self) -> set[str]:
        return set(re.findall(r'<text class="edge-label"[^>]*>([^<]*)</text>', self.html))

    def chart_node_lines(self, node: str) -> list[str]:
        """The lines of text drawn in a node's box of the flow chart."""
        group = re.search(rf'<g id="{node}".*?</g>', self.html, re.DOTALL)
        lines = re.findall(r'<text class="align-middle"[^>]*>([^<]*)</text>', group.group(0)) if group else []
        return [line for line in lines if line]  # an empty <text> draws nothing

    def table_rows(self, table_id: str) -> list[list[str]]:
        """The cells' text of each body row of the table with this id."""
        table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', self.html, re.DOTALL)
        assert table is not None, f"no table #{table_id}"
        body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.DOTALL).group(1)
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
            rows.append([_text(cell) for cell in cells])
        return rows


class _Element(HTMLParser):
    """Finds the element with an id and where it ends, for reading one part of a page."""

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.start = self.end = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        if self.start is None and dict(attrs).get("id") == self.element_id:
            self.start = self.getpos()
            self.depth = 1
        elif self.start is not None and self.end is None:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in _VOID or self.start is None or self.end is not None:
            return
        self.depth -= 1
        if self.depth == 0:
            self.end = self.getpos()


def _offset(text: str, position: tuple[int, int]) -> int:
    line, column = position
    return sum(len(row) for row in text.splitlines(keepends=True)[: line - 1]) + column


class _Part:
    def __init__(self, content: bytes):
        self.content = content


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page(response) -> Page:
    return Page(response)


def part(shown: Page, element_id: str) -> Page:
    """The element with this id, read as a page of its own (its text, fields and links)."""
    finder = _Element(element_id)
    finder.feed(shown.html)
    assert finder.start is not None, f"no #{element_id} on the page"
    start = _offset(shown.html, finder.start)
    end = shown.html.index(">", _offset(shown.html, finder.end)) + 1
    return Page(_Part(f"<main>{shown.html[start:end]}</main>".encode()))


def record_post(data: dict, prefix: str) -> dict:
    """A record or family member as the entry form posts it: codes as their row, dates as ISO."""
    posted = {}
    for name, value in data.items():
        if value is True:
            posted[f"{prefix}-{name}"] = "on"
        elif value is False or value is None:
            continue
        elif hasattr(value, "pk"):
            posted[f"{prefix}-{name}"] = value.pk
        elif isinstance(value, datetime.date):
            posted[f"{prefix}-{name}"] = value.isoformat()
        else:
            posted[f"{prefix}-{name}"] = value
    return posted
