"""Reading a rendered page as its user reads it: the text of the main area, the message bar,
each form field with its label and error, the links and buttons."""

from __future__ import annotations

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
        if tag == "input" and attributes.get("name") and attributes.get("type") != "hidden":
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
        self.links = reader.links
        # The error boxes above a form: messages not tied to one field.
        self.form_errors = [error for error in reader.errors if error]

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
        svg = re.search(r"<svg.*?</svg>", self.html, re.S)
        if svg is None:
            return {}
        return {
            node: status
            for node, status in re.findall(r'<g id="(\w+)" transform="[^"]*"(?: class="(\w+)")?>', svg.group(0))
        }

    def table_rows(self, table_id: str) -> list[list[str]]:
        """The cells' text of each body row of the table with this id."""
        table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', self.html, re.S)
        assert table is not None, f"no table #{table_id}"
        body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells])
        return rows


def page(response) -> Page:
    return Page(response)
