"""The action layer: every action declared once, and everything built from the declarations
(the services bound to them, the API's endpoints and inputs, the pages' forms, the audit's
labels) names the same actions."""

from __future__ import annotations

import inspect

import pytest
from django.urls import get_resolver

from casework import actions, services
from casework.actions import declarations as d
from casework.actions.schema import form_field, serializer_field
from casework.api import serializers as api_inputs
from casework.public.forms import CITIZEN_FORMS
from casework.web.action_forms import ACTION_FORMS

OFFICER = {a.code for a in actions.officer_actions()}
REPORTER = {a.code for a in actions.reporter_actions()}


def test_every_name_services_export_exists():
    """``casework.services.__all__`` used to name eleven functions that did not exist."""
    for name in services.__all__:
        assert hasattr(services, name), name
    assert len(services.__all__) == len(set(services.__all__))


def test_every_action_taken_by_someone_has_exactly_one_service():
    taken = {a.code for a in actions.all_actions() if a.where != actions.RECORDED} | {"close"}
    assert actions.implemented() == taken
    for code in taken:
        service = actions.get(code).service
        assert inspect.isfunction(service)
        parameters = inspect.signature(service).parameters.values()
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters), f"{code}: keyword-only"


def test_the_api_serves_one_endpoint_per_declared_action():
    names = {
        name for name in get_resolver("casework.api.urls").reverse_dict if isinstance(name, str)
    }
    assert {n.removeprefix("case-") for n in names if n.startswith("case-")} == OFFICER
    assert {n.removeprefix("track-") for n in names if n.startswith("track-")} == REPORTER


def test_the_pages_offer_one_form_per_declared_action():
    assert set(ACTION_FORMS) == OFFICER
    assert set(CITIZEN_FORMS) == REPORTER


@pytest.mark.parametrize("action", list(actions.all_actions()), ids=lambda a: a.code)
def test_the_api_and_the_pages_take_the_same_input(action):
    """One schema: the API's serializer and the page's form have the same fields with the
    same limits (files only on the pages)."""
    api = {f.name for f in action.input.on("api")}
    web = {f.name for f in action.input.on("web")}
    assert web - api <= {"attachments"}
    if action.input.on("api"):
        built = api_inputs.INPUTS[action.code]().fields
        assert set(built) == api
    for field in action.input:
        if "api" in field.surfaces:
            serializer_field(field)
        form = form_field(field)
        if field.max_length and hasattr(form, "max_length"):
            assert form.max_length == field.max_length, field.name


def test_every_audit_code_the_code_writes_is_declared():
    from casework import lifecycle

    written = {row.action for row in lifecycle.OUTCOMES} | {
        "submit",
        "claim",  # on the way, by kernel.begin
        "release",
        "reassign",
        "request_info",
        "provide_info",
        "acknowledge",
        "remind",  # by the sweep
        "escalate",
    }
    assert written <= {a.code for a in actions.all_actions()}
    for action in actions.all_actions():
        assert str(action.event), action.code


def test_the_declarations_are_the_only_ones():
    with pytest.raises(ValueError, match="declared twice"):
        actions.registry.declare(d.VERIFY)
