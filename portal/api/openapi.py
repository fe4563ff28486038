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


def _filters(kind: str) -> list[dict]:
    listing = policies.LISTING if kind == "policies" else catalog.LISTINGS[kind]
    params = []
    for f in listing.filters:
        desc = f"Filter by {f.name}"
        if f.name == "county":
            desc = "County by Chinese name (镇平县) or code (411324)"
        params.append(
            {"name": f.name, "in": "query", "required": False, "description": desc, "schema": {"type": "string"}}
        )
        for alias in f.aliases:
            params.append(
                {
                    "name": alias,
                    "in": "query",
                    "required": False,
                    "description": f"Alias of `{f.name}`",
                    "schema": {"type": "string"},
                }
            )
    return params


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]


def document() -> dict:
    paths: dict = {}
    for kind, text in DESCRIPTIONS.items():
        key = "code" if kind in {"counties", "units"} else "slug"
        paths[f"/api/v1/{kind}"] = {
            "get": {
                "summary": text,
                "operationId": f"list_{kind}",
                "parameters": _filters(kind) + PAGING,
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
                "parameters": [{"name": key, "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The item", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "404": {
                        "description": "No such item",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        }
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
