"""Reading rendered HTML the way an accessibility checker would: ids, labels, aria attributes, visible text."""

from __future__ import annotations

from html.parser import HTMLParser

LABELLED = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    """Collects elements' attributes, ids, labels and the text a person reads (not scripts, styles or attributes)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.wrapped: set[int] = set()  # indexes of controls inside a <label>
        self.text_parts: list[str] = []
        self._label_depth = 0
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        if tag in LABELLED and self._label_depth:
            self.wrapped.add(len(self.elements) - 1)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.text_parts if part.strip())

    def controls(self):
        for index, (tag, attributes) in enumerate(self.elements):
            if tag in LABELLED and (tag != "input" or attributes.get("type", "text") not in UNLABELLED_TYPES):
                yield index, tag, attributes


def form_problems(html: str) -> list[str]:
    """What an accessibility checker would report about the page's form markup (empty when there is none)."""
    page = Page(html)
    problems = []
    for tag, attributes in page.elements:
        for name, value in attributes.items():
            if value == "None" and (name.startswith("aria-") or name in ("id", "for", "value", "type")):
                problems.append(f'<{tag} {name}="{value}">')
            if name == "aria-describedby":
                if not (value or "").strip():
                    problems.append(f"<{tag}> with an empty aria-describedby")
                for ref in (value or "").split():
                    if ref not in page.ids:
                        problems.append(f"<{tag}> aria-describedby names #{ref}, which is not on the page")
            if name == "aria-invalid" and value not in ("true", "false"):
                problems.append(f'<{tag} aria-invalid="{value}">')
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    problems += [f"id {i} is used twice" for i in sorted(duplicates)]
    for index, tag, attributes in page.controls():
        labelled = (
            index in page.wrapped
            or attributes.get("id") in page.label_for
            or attributes.get("aria-label")
            or attributes.get("aria-labelledby")
            or attributes.get("title")
        )
        if not labelled:
            problems.append(f"<{tag} name={attributes.get('name')!r}> has no label")
    return problems


def invalid_fields(html: str) -> list[str]:
    return [a.get("name") or "" for _, a in Page(html).elements if a.get("aria-invalid") == "true"]
