#!/usr/bin/env python3
"""Checks the collector's OpenAPI document: that it is valid OpenAPI 3.x (openapi-spec-validator)
and, given cases, that each value is valid or invalid against the schema a JSON pointer names.

    check_openapi.py DOCUMENT.json [CASES.json]

CASES.json is a list of {"pointer": "/components/schemas/Record", "value": ..., "valid": true}.
Run by the collector's test `the_served_document_is_valid_openapi_and_describes_real_records`
with the Python of scripts/install-deps (a venv holding openapi-spec-validator).
"""

import json
import sys

import jsonschema
from openapi_spec_validator import validate


def schema_at(document, pointer):
    # A schema that refers into the document, so that its "$ref"s to components resolve.
    return {**document, "$ref": "#" + pointer}


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        document = json.load(file)
    validate(document)
    print(f"{sys.argv[1]}: valid OpenAPI {document['openapi']}")
    if len(sys.argv) < 3:
        return 0
    with open(sys.argv[2], encoding="utf-8") as file:
        cases = json.load(file)
    failures = []
    for case in cases:
        validator = jsonschema.Draft202012Validator(
            schema_at(document, case["pointer"]),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        errors = [error.message for error in validator.iter_errors(case["value"])]
        if bool(errors) == case["valid"]:
            said = "; ".join(errors) if errors else "valid"
            failures.append(f"{case['pointer']}: {json.dumps(case['value'])[:200]}: expected "
                            f"{'valid' if case['valid'] else 'invalid'}, got {said}")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(cases) - len(failures)} of {len(cases)} cases as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
