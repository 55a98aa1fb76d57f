"""The error answers of the API, written into the OpenAPI document (drf-spectacular documents only
the successful ones by itself). Three bodies exist:

- a domain error (cases.core.exceptions, through cases.api.errors): {"error", "message", "details"};
- a field-by-field validation error from DRF: {"<field>": ["<message>", ...], ...};
- DRF's own refusals (not signed in, malformed JSON, unknown page): {"detail": "<message>"}.
"""

ERROR_SCHEMAS = {
    "DomainError": {
        "type": "object",
        "description": "A refusal by the application's rules (cases.core.exceptions).",
        "properties": {
            "error": {"type": "string", "description": "a stable code: invalid_input, not_permitted, …"},
            "message": {"type": "string", "description": "what went wrong, in the user's language"},
            "details": {"type": "object", "additionalProperties": True},
        },
        "required": ["error", "message", "details"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "Validation errors: each field named with its messages.",
        "additionalProperties": True,
    },
    "Detail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
}


def _body(*names: str, description: str) -> dict:
    schemas = [{"$ref": f"#/components/schemas/{name}"} for name in names]
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_errors(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: each operation gets the error answers it can give."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            parameters = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
            responses = operation.setdefault("responses", {})
            errors = {}
            takes_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters.values())
            if takes_input or method == "post":
                errors["400"] = _body("FieldErrors", "DomainError", "Detail", description="Invalid input")
            if "X-Signature" in parameters:
                errors["401"] = _body("DomainError", description="Missing, malformed, stale or wrong signature; "
                                      "a nonce used before (X-Nonce); a version-1 signature the channel may no "
                                      "longer send; unknown, inactive or expired channel")  # fmt: skip
                errors["429"] = _body("DomainError", description="Too many badly signed requests from this address")
            else:
                errors["403"] = _body("Detail", "DomainError", description="Not signed in, or not permitted")
            if "page" in parameters or any(p["in"] == "path" for p in parameters.values()):
                errors["404"] = _body("Detail", "DomainError", description="No such page or record")
            for status, response in errors.items():
                responses.setdefault(status, response)
    return result
