"""The OpenAPI schema: every operation documents its error responses as problem details."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.api import PROBLEM_CONTENT_TYPE, TITLES, KeysetPagination


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A bad filter",
            value={
                "type": "https://accord.invalid/problems/bad-request",
                "title": "Bad request",
                "status": 400,
                "detail": "status: Select a valid choice. sideways is not one of the choices.",
                "instance": "/api/v1/commitments/?status=sideways",
                "errors": {
                    "status": ["Select a valid choice. sideways is not one of the choices."]
                },
            },
            response_only=True,
        )
    ]
)
class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField(help_text="What kind of problem (a URI).")
    title = serializers.CharField(help_text="A short summary of that kind.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong this time, in words.")
    instance = serializers.CharField(required=False, help_text="The request's path.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For bad input: each field or parameter, named as sent, with its messages.",
    )

    class Meta:
        ref_name = "Problem"


DESCRIPTIONS = {
    400: "Bad input: a parameter or field is unknown or invalid (named in `errors`).",
    401: "No token, or an unknown, expired or revoked one.",
    403: "Not allowed: a read-only token writing, or no permission for this record.",
    404: "No such record (or not visible to you), or no such page (`page`, `cursor`).",
    406: "The Accept header asks for a format this endpoint cannot give.",
    409: "A business rule refuses the change (e.g. a transition the lifecycle forbids).",
    412: "The record changed since you read it: fetch it again and retry with the new ETag.",
    415: "The body is not JSON.",
    428: "A write needs the version read: `If-Match` with the ETag, or `version` in the body.",
    429: "Too many requests from this token: wait `Retry-After` seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = [401, 403, 406, 429]
        method = self.method.upper()
        path = self.path
        is_detail = "{" in path
        if is_detail:
            codes.append(404)
        if method == "GET":
            codes += [400, 404]
        else:
            codes += [400, 404, 409, 412, 415, 428]
        for code in sorted(set(codes)):
            if str(code) in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, str(code), media_types=[PROBLEM_CONTENT_TYPE]
            )
            response["description"] = DESCRIPTIONS.get(code, TITLES.get(code, ""))
            responses[str(code)] = response
        if method == "GET" and is_detail and "200" in responses:
            responses["200"].setdefault("headers", {})["ETag"] = {
                "schema": {"type": "string"},
                "description": "The record's version; send it back in If-Match when writing.",
            }
        if "429" in responses:
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
            }
        return responses


__all__ = ["AutoSchema", "KeysetPagination", "ProblemSerializer"]


def adjust_required(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Fields left out for some roles are not required (a person's e-mail for analysts);
    every write body asks for ``version``: the server also takes the ETag in ``If-Match``
    instead, which the schema cannot say, so the schema asks for the body field."""
    schemas = result.get("components", {}).get("schemas", {})
    person = schemas.get("Person", {})
    if "email" in person.get("required", []):
        person["required"].remove("email")
    for name, schema in schemas.items():
        if name.endswith("Request") and "version" in schema.get("properties", {}):
            required = schema.setdefault("required", [])
            if "version" not in required:
                required.append("version")
    return result
