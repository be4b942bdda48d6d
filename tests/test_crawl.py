"""Issue 11 "done when": as each demo role, follow every link reachable from the landing page.

Each role logs in (the demo logins of ``seed_demo``), opens ``/`` as after a login, and follows every
link it is shown — admin and portal alike — breadth first, to at most ``MAX_PAGES`` pages. A link that
answers 403, 404 or 5xx, or that sends a logged-in officer back to a login page, is a dead end: the
screen offered something its user cannot open. Every HTML page is also read for English: visible text
(tags, scripts, styles and the language switch left out) holding words from ``ENGLISH_WORDS`` — words
of Django's and its add-ons' English UI that are not Indonesian — fails the page.

To keep the walk bounded but broad, URLs are grouped by shape: digits become ``#`` and only the
names of query parameters count, and each shape is opened at most ``PER_SHAPE`` times. File
downloads (CSV/XLSX/PDF) are checked for their status only.
"""

import io
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

MAX_PAGES = 200
PER_SHAPE = 1
DEMO_ROLES = ["kelompok", "verifikator", "ppk", "bendahara", "direktur", "pendamping", "integritas"]

# Links never followed: leaving the site, logging out, switching language, the metrics/health probes.
SKIP_PREFIXES = ("/akun/keluar", "/i18n/", "/metrics", "/healthz", "/readyz", "/static/", "/media/")
# Query parameters that only re-sort, page or narrow a list: one such variant per list is enough.
SORT_OR_PAGE = {"o", "p", "q", "_changelist_filters", "all"}

# English words of Django's, simple-history's, import-export's and axes' UI that are not Indonesian
# (so "status", "data", "total", "admin", "filter", "online", "email" are not here).
ENGLISH_WORDS = frozenset(
    {
        "add",
        "added",
        "change",
        "changed",
        "changes",
        "delete",
        "deleted",
        "view",
        "history",
        "date",
        "user",
        "type",
        "created",
        "updated",
        "export",
        "exported",
        "import",
        "imported",
        "progress",
        "content",
        "home",
        "welcome",
        "recent",
        "actions",
        "action",
        "selected",
        "select",
        "search",
        "show",
        "all",
        "yes",
        "unknown",
        "none",
        "today",
        "yesterday",
        "past",
        "days",
        "this",
        "month",
        "year",
        "any",
        "forbidden",
        "found",
        "error",
        "server",
        "page",
        "out",
        "site",
        "object",
        "objects",
        "current",
        "reset",
        "password",
        "save",
        "results",
        "result",
        "records",
        "record",
        "the",
        "and",
        "of",
        "with",
        "by",
        "from",
        "to",
        "is",
        "are",
        "was",
        "not",
        "for",
        "you",
        "your",
        "submitted",
        "verified",
        "approved",
        "rejected",
        "returned",
        "draft",
        "pending",
        "paid",
        "failed",
        "locked",
        "payable",
        "reporting",
        "completed",
        "cancelled",
        "accepted",
        "revision",
        "open",
        "closed",
        "held",
        "planned",
        "done",
    }
)
# Words; an identifier with an underscore (``progress_total``) is a code shown as data, not prose.
ENGLISH_WORD = re.compile(r"[A-Za-z_]+(?:'[a-z]+)?")


@dataclass
class Finding:
    url: str
    problem: str
    via: str


@dataclass
class CrawlReport:
    role: str
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"{self.role}: {len(self.findings)} problems in {self.pages} pages"]
        lines += [f"  {f.problem}: {f.url}  (linked from {f.via})" for f in self.findings]
        return "\n".join(lines)


class _PageReader(HTMLParser):
    """Collects the page's links and its visible text, leaving out scripts, styles, hidden inputs'
    values and whatever is marked lang="en" (the language switch names its language in English)."""

    # <code> holds identifiers (file columns, codes), not prose.
    _INVISIBLE = {"script", "style", "template", "noscript", "head", "code"}
    _VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._stack: list[bool] = []  # per open element: whether its text is hidden

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        is_button = tag in ("input", "button") and attributes.get("type") in ("submit", "button")
        if is_button and attributes.get("value") and not self._hidden() and attributes.get("lang") != "en":
            self.text.append(attributes["value"] or "")
        if tag in self._VOID:
            return
        hidden = tag in self._INVISIBLE or attributes.get("lang") == "en" or "hidden" in attributes
        self._stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.text.append(data)


def english_words(text: str) -> list[str]:
    """The words of ``text`` found in the English word list (each once, in order)."""
    found: list[str] = []
    for word in ENGLISH_WORD.findall(text):
        lower = word.lower()
        # Capitals only (CC BY, NIK) are acronyms and codes; an underscore makes an identifier.
        if "_" not in lower and not word.isupper() and lower in ENGLISH_WORDS and lower not in found:
            found.append(lower)
    return found


def _in_context(text: str, words: list[str]) -> str:
    """Each English word with a few characters around it, for the failure message."""
    snippets = []
    for word in words[:8]:
        match = re.search(rf"(?i)\b{word}\b", text)
        start = max(match.start() - 25, 0) if match else 0
        snippets.append(f"{word} «{text[start : match.end() + 25] if match else ''}»")
    return "; ".join(snippets)


def url_shape(url: str) -> str:
    """``/admin/groups/group/12/change/?status=x&o=2`` → ``/admin/groups/group/#/change/?o&status``."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "#", parts.path)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    if keys and set(keys) <= SORT_OR_PAGE:
        keys = ["~"]  # every sort / page / search variant of a list is one shape
    return path + ("?" + "&".join(keys) if keys else "")


def _normalise(href: str, base: str) -> str | None:
    """The same-site path (with query) that ``href`` points at, or None when it is not followed."""
    href = urldefrag(href.strip())[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if (parts.scheme or parts.netloc) and parts.netloc not in ("testserver", ""):
        return None
    path = parts.path
    if not path.startswith("/"):
        base_path = urlsplit(base).path
        path = base_path[: base_path.rfind("/") + 1] + path
    if not path.startswith("/"):
        return None
    if path.startswith(SKIP_PREFIXES):
        return None
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return path + ("?" + query if query else "")


def _is_english_page(response) -> bool:  # noqa: ANN001
    language = response.get("Content-Language", "")
    return not language.startswith("en")


def crawl(client, role: str, *, start: str = "/", max_pages: int = MAX_PAGES) -> CrawlReport:  # noqa: ANN001
    """Breadth-first walk of what ``client``'s user is shown, from ``start`` (redirects followed)."""
    report = CrawlReport(role=role)
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    while queue and report.pages < max_pages:
        url, via = queue.popleft()
        response = client.get(url, follow=True)
        report.pages += 1
        final = response.request["PATH_INFO"]
        status = response.status_code
        if status in (403, 404) or status >= 500:
            report.findings.append(Finding(url, f"HTTP {status}", via))
            continue
        if final.startswith(("/akun/masuk", "/admin/login")) and not url.startswith(("/akun/masuk", "/admin/login")):
            report.findings.append(Finding(url, "sent to a login page", via))
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            continue
        reader = _PageReader()
        reader.feed(response.content.decode("utf-8", errors="replace"))
        if _is_english_page(response):
            text = " ".join(" ".join(reader.text).split())
            english = english_words(text)
            if english:
                report.findings.append(Finding(final, "English text: " + _in_context(text, english), via))
        for href in reader.links:
            target = _normalise(href, final)
            if target is None or target in seen:
                continue
            seen.add(target)
            shape = url_shape(target)
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append((target, final))
    return report


@pytest.fixture(scope="module")
def launch_demo(django_db_setup, django_db_blocker):
    """The launch demo with its logins, built once for the module inside a transaction that is rolled
    back at the end (each test then runs in a savepoint of it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=io.StringIO(), verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- The checks themselves -----------------------------------------------------------------------


def test_the_english_check_catches_django_english_and_passes_indonesian():
    assert english_words("History date · History user · Changed by") == ["history", "date", "user", "changed", "by"]
    assert english_words("Riwayat perubahan: Status draf → diajukan, total Rp12.000.000") == []


def test_url_shapes_fold_ids_and_sorting():
    assert url_shape("/admin/groups/group/12/change/") == url_shape("/admin/groups/group/345/change/")
    assert url_shape("/admin/groups/group/?o=2") == url_shape("/admin/groups/group/?p=3&q=x")
    assert url_shape("/admin/groups/group/?status=a") != url_shape("/admin/groups/group/?o=1")


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_link_a_demo_role_is_shown_opens_in_indonesian(launch_demo, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    report = crawl(client, username)
    print(report.describe())  # noqa: T201 — the figures in the test log
    assert report.pages > 1, f"{username} reached no page from its landing page"
    assert not report.findings, report.describe()
