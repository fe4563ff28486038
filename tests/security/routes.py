"""The route map as the security sweeps see it: which world object fills each URL parameter, whose objects live under
each prefix and who must not reach them. Written once; every route of `app.url_map` is classified from these tables,
and a new route with a parameter nobody can fill fails the IDOR sweep until it is filled or listed in NOT_FILLED.
"""

from __future__ import annotations

# Whose objects live under a prefix (first match wins): (prefix, owner, intruders). The owner must see the GET pages
# (200), every intruder gets 404 on every route, GET or POST, and anonymous visitors are sent to the login (302) or
# get 404. None as owner: the object is one the public must not see (a draft, a pending visit) and the owner's own
# page is elsewhere.
SIDES: list[tuple[str, str | None, list[str]]] = [
    ("/my/", "A", ["B", "M1"]),
    ("/registry/", "A", ["B"]),
    ("/messages/", "A", ["B", "ZP"]),
    ("/surveys/", None, ["A", "B"]),  # a draft survey: nobody answers it yet
    ("/staff/items/", "item_staff", ["XX", "A"]),
    ("/staff/surveys/", "ZP", ["XX", "A"]),
    ("/staff/", "ZP", ["XX", "A", "M1"]),
    ("/office/", "office", ["ZP", "A"]),
    ("/mentor/", "M1", ["M2", "A"]),
    ("/editorial/", "E1", ["A", "ZP", "office", "M1"]),
    ("/admin/", "admin", ["office", "ZP", "E1"]),
    ("/events/", None, ["B"]),  # a draft event
    ("/visits/", None, ["B"]),  # a visit waiting for the county's confirmation
    ("/ventures/", "A", ["B", "XX"]),  # a project waiting for the county's review
    ("/stories/", "E1", ["B", "ZP"]),  # a draft story and its photo
]

# Which world object fills a parameter (first match of prefix and name wins; "" matches every route). A value that
# is not a key of the world's ids is used as it is.
SOURCES: list[tuple[str, str, str]] = [
    ("/staff/events/", "registration_id", "event_registration_id"),
    ("/staff/events/", "event_id", "event_id"),
    ("/events/", "event_id", "draft_event_id"),
    ("/admin/routing/", "change_id", "routing_change_id"),
    ("/admin/users/", "user_id", "grant_user_id"),
    ("/admin/units/", "code", "411324-hrss"),
    ("/editorial/", "kind", "policies"),
    ("/editorial/", "key", "nanyang-2021-work-plan"),
    ("/editorial/", "version", "1"),
    ("/editorial/changes/", "action", "submit"),
    ("/staff/items/", "action", "claim"),
    ("/staff/surveys/", "action", "open"),
    ("", "tracking_no", "tracking_no"),
    ("", "attachment_id", "attachment_id"),
    ("", "item_id", "item_id"),
    ("", "message_id", "message_id"),
    ("", "registration_id", "registration_id"),
    ("", "venture_id", "venture_id"),
    ("", "shortlist_id", "shortlist_id"),
    ("", "visit_id", "visit_id"),
    ("", "survey_id", "survey_id"),
    ("", "question_id", "question_id"),
    ("", "story_id", "story_id"),
    ("", "photo_id", "photo_id"),
    ("", "consent_id", "consent_id"),
    ("", "change_id", "change_id"),
    ("", "target_id", "target_id"),
    ("", "grant_id", "grant_id"),
]

# Parameterised routes the sweep does not fill, each with the reason. A new parameterised route must be filled
# (SOURCES) or listed here, or the sweep fails.
NOT_FILLED: dict[str, str] = {
    # published, public content: there is no one else's object to ask for
    "catalog.bases_detail": "public catalog entry by slug",
    "catalog.parks_detail": "public catalog entry by slug",
    "catalog.projects_detail": "public catalog entry by slug",
    "catalog.mentors_detail": "public catalog entry by slug",
    "catalog.units_detail": "public unit page by code",
    "policies.detail": "public policy guide by slug",
    "search.answer_entry": "published search answer by slug",
    "search.term_entry": "published everyday-words entry by slug",
    "api.list_items": "open-data API: public lists (Schemathesis covers it)",
    "api.show_item": "open-data API: public entries (Schemathesis covers it)",
    "core.set_language": "language code, not an object (open-redirect sweep covers its `next`)",
    "applications.apply": "application type, not an object",
    "queues.export": "export format, not an object (the role matrix walks /staff/queue/export.csv and .xlsx)",
    "static": "static files",
    # the parameter is itself the credential, not an object id
    "visits.feed": "mentor calendar feed: the private token is the credential (a wrong one is 404, test_visits)",
    "registry.import_report": "pending XLSX import by a random token kept in the uploader's session; another staff "
    "member gets 404: tests/test_registry_import.py"
    "::test_another_staff_member_cannot_see_or_use_the_pending_import",
    # need a longer story than the world tells; each has its own who-sees-what test
    "visits.respond": "a seat offer on A's application: the tracking number (A's) already decides; "
    "tests/test_visits.py covers offers",
    "ratings.feedback": "a follow-up exists only after a decision and a poor rating: "
    "tests/test_ratings.py::test_a_poor_rating_opens_a_follow_up_answered_by_the_lead (other unit and applicant 404)",
    "ratings.follow_up": "as ratings.feedback",
    "ventures.outcome": "a fund recommendation needs an approved project (then public): "
    "tests/test_ventures.py::test_shortlisted_recommended_to_the_fund_and_exported",
}

# GET pages the owner is not shown in the world, with the reason (the intruders' 404 is still checked).
OWNER_SKIP: dict[str, str] = {
    "editorial.diff": "versions exist once a change is published, which would rewrite a live guide and its index",
}

# Intruders who get something other than 404 on purpose, as docs/security.md and the access rules document it:
# (endpoint, intruder) -> status.
DOCUMENTED: dict[tuple[str, str], int] = {}


def side_of(path: str) -> tuple[str | None, list[str]] | None:
    for prefix, owner, intruders in SIDES:
        if path.startswith(prefix):
            return owner, intruders
    return None


def fill(rule, ids: dict[str, str]) -> dict[str, str] | None:
    """The parameter values of `rule` from the world, or None when one cannot be filled."""
    values = {}
    for arg in rule.arguments:
        source = next((s for prefix, name, s in SOURCES if name == arg and rule.rule.startswith(prefix)), None)
        if source is None:
            return None
        values[arg] = ids.get(source, source)
    return values


def build(app, rule, values: dict[str, str]) -> str:
    with app.test_request_context():
        return rule.build(values, append_unknown=False)[1]


def state_changing(rule) -> list[str]:
    return sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
