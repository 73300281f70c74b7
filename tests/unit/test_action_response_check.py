"""The Rasa server's check of action server responses, made with a validator built once, accepts
and refuses exactly what Rasa's own check (jsonschema.validate) does, with the same message."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot.nlu.linear_intent_classifier  # noqa: F401  (installs the check, as loading the model does)
from bot.nlu.action_response_check import validate_action_result

SCHEMA = RemoteAction.action_response_format_spec()
ACTION = RemoteAction("action_respond", None)


def test_loading_the_pipeline_installs_it():
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("result", [
    {"events": [{"event": "slot", "name": "language", "value": "sq"}],
     "responses": [{"text": "Regjistrimi bëhet online.", "buttons": [{"title": "Më shumë", "payload": "/more"}]}]},
    {"events": [], "responses": []},
    {},
])
def test_valid_responses_pass(result):
    jsonschema.validate(result, SCHEMA)
    assert ACTION._validate_action_result(result) is True


@pytest.mark.parametrize("result", [
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1]},
])
def test_invalid_responses_fail_with_rasas_message(result):
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        jsonschema.validate(result, SCHEMA)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response") as ours:
        ACTION._validate_action_result(result)
    assert ours.value.message.startswith(rasa_error.value.message)
