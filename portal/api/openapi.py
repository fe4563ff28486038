"""The OpenAPI 3.1 description of /api/v1, built from the same listings the API serves."""

from __future__ import annotations

from portal.catalog import services as catalog
from portal.policies import services as policies

DESCRIPTIONS = {
    "counties": "Nanyang's county-level divisions and functional zones (南阳市县区与功能区)",
    "units": "Government units responsible for returning-entrepreneur work, city and county (责任单位)",
    "bases": "Incubation bases: 创业孵化基地, 小型微型企业创业创新基地, 星创天地, 众创空间",
    "parks": "Demonstration parks for returning entrepreneurs (返乡创业示范园区)",
    "projects": "Demonstration projects (返乡创业示范项目)",
    "policies": "Policy guides (政策指南) with their source documents",
    "mentors": "The mentor directory (创业导师库)",
}


def _accepted_values(f) -> list[str]:
    """Every value a filter accepts whatever the request's language: its codes and its labels in the portal's
    default language (Chinese); a request in English may also use the English labels, which are not listed."""
    from flask import current_app
    from flask_babel import force_locale

    if f.name == "county":
        from portal.catalog.services import all_counties

        values = [v for c in all_counties() for v in (c.name, c.code, c.name_en) if v]
    else:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            offered = [v for pair in f.choices() for v in pair] + ["true", "false"]
            candidates = {form for v in offered for form in (v, v.upper(), v.lower(), v.capitalize())}
            # exactly what the filter accepts: a yes/no filter also takes true/false, in any case
            values = [v for v in candidates if f.resolve(v) is not None]
    return sorted(set(values))


# What the request guard refuses in a path (control characters; U+FFFD, a byte that was not UTF-8).
PATH_TEXT = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffd]+$"


def _filters(kind: str) -> list[dict]:
    listing = policies.LISTING if kind == "policies" else catalog.LISTINGS[kind]
    params = []
    for f in listing.filters:
        desc = f"Filter by {f.name}: a code or its label"
        if f.name == "county":
            desc = "County by Chinese name (镇平县), code (411324) or English name"
        # Every filter here takes one of a closed set of values: declared, so that clients (and Schemathesis) know.
        schema = {"type": "string", "enum": _accepted_values(f)}
        params.append({"name": f.name, "in": "query", "required": False, "description": desc, "schema": schema})
        for alias in f.aliases:
            params.append(
                {
                    "name": alias,
                    "in": "query",
                    "required": False,
                    "description": f"Alias of `{f.name}`",
                    "schema": schema,
                }
            )
    return params


def _paging() -> list[dict]:
    from flask import current_app

    top = current_app.config["API_MAX_PER_PAGE"]
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": top, "default": 20}},
    ]


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _progress_path() -> dict:
    """办件进度查询: the tracking number and the last digits of the applicant's phone or 身份证号."""
    return {
        "post": {
            "summary": "Progress of an application (no login): status, handling unit, promised date, steps",
            "operationId": "progress",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["tracking_no", "verifier"],
                            "properties": {
                                "tracking_no": {
                                    "type": "string",
                                    "pattern": "^NY-[0-9]{4}-[A-Z]{2}-[0-9]{6}$",
                                    "description": "e.g. NY-2026-DB-000123",
                                },
                                "verifier": {
                                    "type": "string",
                                    "pattern": "^([0-9]{4}|[0-9]{5}[0-9Xx])$",
                                    "description": "last 4 digits of the phone, or last 6 of the ID",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "Where the application stands",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "400": _error("A tracking number or verifier that cannot be right"),
                "404": _error("Unknown number, or digits that do not match (the same answer)"),
                "429": _error("Too many lookups from this address or for this number"),
            },
        }
    }


def _stats_path() -> dict:
    count = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<5"]}]}
    cut = {
        "type": "object",
        "required": ["rows", "totals", "total"],
        "properties": {
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "county": {"type": "string", "description": "county code, or none"},
                        "name": {"type": "string"},
                        "cells": {"type": "object", "additionalProperties": count},
                        "total": count,
                    },
                },
            },
            "totals": {"type": "object", "additionalProperties": count},
            "total": count,
        },
    }
    return {
        "get": {
            "summary": "Public statistics of a year: applications by type and county, handling time, satisfaction, "
            'new returning entrepreneurs, mentoring person-times, loans granted. Counts below 5 are "<5", and a '
            "second cell is hidden where the first could be found by subtraction.",
            "operationId": "stats",
            "parameters": [
                {
                    "name": "year",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
                    "description": "calendar year in Beijing time; this year by default",
                }
            ],
            "responses": {
                "200": {
                    "description": "The year's figures",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["year", "applications_received", "applications_decided"],
                                "properties": {
                                    "year": {"type": "integer"},
                                    "demo_data": {"type": "boolean"},
                                    "applications_received": cut,
                                    "applications_decided": cut,
                                    "applications_approved": cut,
                                    "indicators": cut,
                                    "average_working_days_to_decision": {
                                        "type": "object",
                                        "additionalProperties": {"type": ["number", "null"]},
                                    },
                                    "satisfaction": {"type": "object"},
                                    "loans_granted": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "400": _error("A year that is not a four-digit year between 2000 and 2100, or an unknown parameter"),
            },
        }
    }


def document() -> dict:
    paths: dict = {}
    for kind, text in DESCRIPTIONS.items():
        key = "code" if kind in {"counties", "units"} else "slug"
        paths[f"/api/v1/{kind}"] = {
            "get": {
                "summary": text,
                "operationId": f"list_{kind}",
                "parameters": _filters(kind) + _paging(),
                "responses": {
                    "200": {
                        "description": "A page of items",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}},
                    },
                    "400": {
                        "description": "An unknown filter value or bad paging parameter",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        }
        paths[f"/api/v1/{kind}/{{{key}}}"] = {
            "get": {
                "summary": f"One item of {kind}",
                "operationId": f"get_{kind}",
                "parameters": [
                    {"name": key, "in": "path", "required": True, "schema": {"type": "string", "pattern": PATH_TEXT}}
                ],
                "responses": {
                    "200": {"description": "The item", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {
                        "description": "A control character in the path",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                    "404": {
                        "description": "No such item",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        }
    paths["/api/v1/progress"] = _progress_path()
    paths["/api/v1/stats"] = _stats_path()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "南阳市返乡创业服务平台 open data API",
            "version": "1.0.0",
            "description": "Read-only open data of the Nanyang returning-entrepreneur portal. "
            "Items marked sample=true are illustrative, not confirmed entries.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Page": {
                    "type": "object",
                    "required": ["total", "page", "per_page", "items"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "items": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "code": {"type": "string"},
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            }
        },
    }
