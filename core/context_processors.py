from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name); a section whose page is not installed yet is left out.
NAVIGATION = [
    ("Dashboard", "home"),
    ("Agreements", "mou:agreement-list"),
    ("Commitments", "mou:commitment-list"),
    ("Milestones", "mou:milestone-list"),
    ("Exchanges", "exchanges:secondment-list"),
    ("Reports", "reporting:index"),
]


def navigation(request: HttpRequest) -> dict[str, list[dict[str, object]]]:
    items = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
