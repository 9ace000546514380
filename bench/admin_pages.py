"""The admin at a million exhibitors (issue 12, part 7): its change lists, signed in as staff.

Editing in the admin is one of the things people do here, so its pages are measured the way a
staff member meets them: signed in over HTTP (the login form, its CSRF token and the session
cookie), warm, the p50 of each change list and its size in bytes, at each database size and
beside the public `/exhibitors/?country=…`. The targets: each page at the large size ÷ the same
page at the small size, each at the large size ÷ the public list, and the largest page in KB.

`prepare_admin` makes the one staff account the run signs in with (before the server starts),
`measure_admin` measures a running Server, `admin_rows` turns both sizes' figures into rows of
the table in the form of bench.report.result_rows.
"""

import http.client
import re
import statistics
import time
from urllib.parse import urlencode

from bench.databases import manage, sql
from bench.http import Client, expect, percentile
from bench.report import fig, ms
from bench.settings import REQUEST_TIMEOUT, ROUND_SECONDS, ROUNDS, WARMUP_REQUESTS, label

USERNAME = "bench-admin"
ADMIN_REQUESTS = 10  # a round, for a median; an admin page is heavier than the public one
PAGE_LIMIT_KB = 150

ADMIN_TARGETS = {
    "A1 exhibitors": ("≤", 1.5),
    "A1 country": ("≤", 1.5),
    "A1 search": ("≤", 1.5),
    "A1 by expo": ("≤", 1.5),
    "A1 participations": ("≤", 1.5),
    "A1 others": ("≤", 1.5),
    "A2 exhibitors": ("≤", 5),
    "A2 country": ("≤", 5),
    "A2 search": ("≤", 5),
    "A2 by expo": ("≤", 5),
    "A2 participations": ("≤", 5),
    "A2 others": ("≤", 5),
    "A3": ("≤", PAGE_LIMIT_KB),
}

# The rows of their own, in this order; every other change list measured is in "others".
MAIN_PAGES = {
    "exhibitors": "exhibitor changelist",
    "country": "exhibitor changelist by country",
    "search": "exhibitor changelist, search",
    "by expo": "exhibitor changelist by its busiest expo (the autocomplete filter)",
    "participations": "participation changelist",
}
# The other change lists whose expo filter, counts or search were rebuilt, and the expo
# filter's own autocomplete search.
OTHER_PAGES = {
    "sectors": "/admin/exhibitors/sector/",
    "expos": "/admin/expos/expo/",
    "deals": "/admin/expos/deal/",
    "forums": "/admin/expos/forum/",
    "speakers": "/admin/expos/speaker/",
    "appearances": "/admin/expos/appearance/",
    "statements": "/admin/expos/statement/",
    "areas": "/admin/expos/area/",
    "figures": "/admin/expos/figure/",
    "awards": "/admin/expos/award/",
    "highlights": "/admin/expos/highlight/",
    "expo autocomplete": "/admin/autocomplete/?"
    + urlencode(
        {"app_label": "expos", "model_name": "participation", "field_name": "expo", "term": "expo"}
    ),
}
PUBLIC = "public"

# Made inside manage.py, so that the password is never on a command line: printed, read back.
CREATE_ADMIN = f"""
import secrets
from django.contrib.auth import get_user_model
password = secrets.token_urlsafe(24)
user, _ = get_user_model().objects.get_or_create(username={USERNAME!r})
user.is_staff = user.is_superuser = user.is_active = True
user.set_password(password)
user.save()
print("password:", password)
"""


def prepare_admin(database):
    """The staff superuser `bench-admin` on `database`, with a new random password each run
    (so a second call is harmless); returns (username, password)."""
    _seconds, output = manage(database, "shell", "--no-imports", "-c", CREATE_ADMIN)
    (password,) = re.findall(r"^password: (\S+)$", output, re.MULTILINE)
    return USERNAME, password


def cookies_of(response):
    """{name: value} of the Set-Cookie headers of a response."""
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def sign_in(port, credentials):
    """The headers of a signed-in staff session: the admin's login form, filled in and sent
    (its CSRF token in the cookie and the form), as a browser would. A failure stops the run
    at once rather than try again: django-axes locks an account out after a few."""
    username, password = credentials
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", "/admin/login/")
        response = connection.getresponse()
        page = response.read().decode()
        expect(response, 200, "/admin/login/")
        cookies = cookies_of(response)
        (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[:1]
        form = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        )
        connection.request(
            "POST",
            "/admin/login/?next=/admin/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
            },
        )
        response = connection.getresponse()
        response.read()
        cookies.update(cookies_of(response))
    finally:
        connection.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"signing in as {username} answered {response.status}, not 302")
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def page_figures(client, path, headers):
    """{"p50": the median over ROUNDS rounds of the median request time, "bytes": the size
    of the body, "path": what was asked}, as bench.http.latency measures, with the session's
    headers."""
    body = b""
    for _ in range(WARMUP_REQUESTS):
        response, body, _elapsed = client.get(path, headers)
        expect(response, 200, path)
    figures = []
    for _ in range(ROUNDS):
        samples, deadline = [], time.monotonic() + ROUND_SECONDS
        while len(samples) < ADMIN_REQUESTS and time.monotonic() < deadline:
            response, body, elapsed = client.get(path, headers)
            expect(response, 200, path)
            samples.append(elapsed)
        figures.append(percentile(samples, 0.5))
    return {"p50": statistics.median(figures), "bytes": len(body), "path": path}


def busiest_expo(database):
    """The expo with the most exhibitors: the autocomplete filter's choice to measure."""
    ((expo,),) = sql(
        database,
        "SELECT expo_id FROM expos_participation GROUP BY expo_id ORDER BY count(*) DESC, expo_id"
        " LIMIT 1",
    )
    return expo


def admin_paths(country, term, expo):
    exhibitors = "/admin/exhibitors/exhibitor/"
    return {
        "exhibitors": exhibitors,
        "country": f"{exhibitors}?{urlencode({'country': country})}",
        "search": f"{exhibitors}?{urlencode({'q': term})}",
        "by expo": f"{exhibitors}?{urlencode({'participations__expo__id__exact': expo})}",
        "participations": "/admin/expos/participation/",
        **OTHER_PAGES,
    }


def measure_admin(server, credentials, country, term):
    """{page: {"p50": seconds, "bytes": n, "path": …}} of the admin pages, signed in as
    staff, and of the public exhibitor list filtered by `country` (PUBLIC), on a running
    Server."""
    headers = sign_in(server.port, credentials)
    client = Client(server.port)
    try:
        paths = admin_paths(country, term, busiest_expo(server.database))
        figures = {name: page_figures(client, path, headers) for name, path in paths.items()}
        public = f"/exhibitors/?{urlencode({'country': country})}"
        figures[PUBLIC] = page_figures(client, public, None)
    finally:
        client.close()
    return figures


def admin_rows(small, large, figures):
    """Rows (key, what, value, shown, details) of the admin pages, as bench.report's: each
    main page at `large` ÷ at `small` (A1) and at `large` ÷ the public list (A2), the worst
    of the other change lists for each, and the largest page (A3)."""
    at_small, at_large = figures[small], figures[large]
    public = at_large[PUBLIC]["p50"]
    sizes = f"{label(large)} ÷ {label(small)}"

    def growth(name):
        return at_large[name]["p50"] / at_small[name]["p50"]

    rows = []
    for name, what in MAIN_PAGES.items():
        rows.append(
            (f"A1 {name}", f"admin p50: {what} ({sizes})", growth(name), fig(growth(name)),
             f"`{at_large[name].get('path', '')}`: {ms(at_small[name]['p50'])} at "
             f"{label(small)}, {ms(at_large[name]['p50'])} at {label(large)}, "
             f"{at_large[name]['bytes'] / 1024:.0f} KB")
        )  # fmt: skip
    worst = max(OTHER_PAGES, key=growth)
    rows.append(
        ("A1 others", f"admin p50, the worst of {len(OTHER_PAGES)} other change lists "
         f"({sizes}): {worst}", growth(worst), fig(growth(worst)),
         ", ".join(f"{name} {fig(growth(name))}" for name in OTHER_PAGES))
    )  # fmt: skip
    for name, what in MAIN_PAGES.items():
        ratio = at_large[name]["p50"] / public
        rows.append(
            (f"A2 {name}", f"admin p50 ÷ public list p50 at {label(large)}: {what}", ratio,
             fig(ratio), f"{ms(at_large[name]['p50'])} vs {ms(public)}")
        )  # fmt: skip
    worst = max(OTHER_PAGES, key=lambda name: at_large[name]["p50"])
    ratio = at_large[worst]["p50"] / public
    rows.append(
        ("A2 others", f"admin p50 ÷ public list p50 at {label(large)}, the slowest other "
         f"change list: {worst}", ratio, fig(ratio),
         ", ".join(f"{name} {ms(at_large[name]['p50'])}" for name in OTHER_PAGES)
         + f"; public {ms(public)}")
    )  # fmt: skip
    pages = [
        (at[name]["bytes"] / 1024, name, size)
        for size, at in ((small, at_small), (large, at_large))
        for name in at
        if name != PUBLIC
    ]
    kb, name, size = max(pages)
    rows.append(
        ("A3", "largest admin page, KB", kb, f"{kb:.0f}",
         f"{name} at {label(size)}; public list {at_large[PUBLIC]['bytes'] / 1024:.0f} KB")
    )  # fmt: skip
    return rows
