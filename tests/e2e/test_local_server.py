"""The local run of README and docs/how-to/run-locally.md, over real HTTP on loopback: moto server,
seeded routes, the real handler."""

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tools.local_env import LOCAL_ACTION_SECRET

EVENTS = Path(__file__).resolve().parents[2] / "events" / "action"
CUSTOM_RESOURCE_EVENTS = EVENTS.parent / "custom-resource"


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_curl_the_action_url(local_server):
    assert local_server["action_url"].endswith(f"/action/{LOCAL_ACTION_SECRET}")
    status, content_type, body = get(f"{local_server['action_url']}?caller=09012345678&recipient=0312345678")
    assert (status, content_type, body) == (200, "text/plain; charset=utf-8", "transfer +81312340001")

    status, _, body = get(f"{local_server['action_url']}?caller=&recipient=%2B81312345678")
    assert status == 200 and body.startswith('say ja "非通知設定')

    status, _, body = get(f"{local_server['action_url']}?caller=0335550123&recipient=0355550000")
    assert (status, body) == (200, 'say ja "おかけになった電話番号は現在使われておりません。"')


def test_a_wrong_secret_is_no_route_at_all(local_server):
    """Every route is a secret (template.yaml): like API Gateway, the local API answers any other
    path 404 itself, without invoking the function."""
    base = local_server["action_url"].rsplit("/", 1)[0]
    status, _, body = get(f"{base}/not-the-secret-at-all-0123456789abcdef?caller=1&recipient=0312345678")
    assert (status, body) == (404, '{"message":"Not Found"}')


def test_invoke_endpoint_runs_a_sample_event(local_server):
    event = (EVENTS / "national-holiday.json").read_bytes()
    request = urllib.request.Request(
        f"{local_server['lambda_url']}/2015-03-31/functions/ActionFunction/invocations", data=event
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result = json.loads(response.read())
    assert result["statusCode"] == 200
    assert result["body"] == "playback http://example.com/audio/holiday-closed.mp3"


def invoke(local_server, function: str, event: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{local_server['lambda_url']}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(event).encode(),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def test_provisioning_through_the_local_run(local_server):
    """search -> subscribe against the emulator; the new number then answers with its default route."""
    found = invoke(
        local_server, "ProvisioningFunction", {"operation": "search", "country": "JP", "prefix": "816"}
    )
    assert found["ok"], found
    number = found["result"]["numbers"][0]
    subscribed = invoke(
        local_server, "ProvisioningFunction", {"operation": "subscribe", "din_uid": number["din_uid"]}
    )
    assert subscribed["ok"] and subscribed["result"]["record"]["status"] == "active", subscribed

    status, _, body = get(f"{local_server['action_url']}?caller=09000000000&recipient={number['number'][1:]}")
    assert status == 200
    assert (
        body
        == 'say ja "お電話ありがとうございます。ただいま準備中です。しばらくしてからおかけ直しください。"'
    )

    again = invoke(
        local_server, "ProvisioningFunction", {"operation": "subscribe", "din_uid": number["din_uid"]}
    )
    assert again["ok"] and again["result"]["outcome"] != "subscribed", again


def test_undeclared_paths_are_404_as_on_api_gateway(local_server):
    base = local_server["action_url"].split("/action/")[0]
    assert get(f"{base}/other?caller=1&recipient=0312345678")[0] == 404


def test_a_custom_resource_event_answers_cloudformation_on_loopback(local_server):
    """The sample's ResponseURL is a real S3 one: the invoke endpoint has the answer PUT to itself."""
    sample = json.loads((CUSTOM_RESOURCE_EVENTS / "update.json").read_text(encoding="utf-8"))
    assert sample["ResponseURL"].startswith("https://cloudformation-custom-resource-response-")
    request = urllib.request.Request(
        f"{local_server['lambda_url']}/2015-03-31/functions/ProvisioningFunction/invocations",
        data=json.dumps(sample).encode(),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        sink_url = response.headers["X-Local-CloudFormation-Response"]
        answer = json.loads(response.read())

    assert sink_url and sink_url.startswith(f"{local_server['lambda_url']}/cloudformation-response/")
    with urllib.request.urlopen(sink_url, timeout=10) as response:
        received = json.loads(response.read())
    assert received == answer  # what the function PUT is what it answered
    assert (received["Status"], received["Data"]["Outcome"]) == ("SUCCESS", "ok")
    assert (received["RequestId"], received["StackId"]) == (sample["RequestId"], sample["StackId"])
