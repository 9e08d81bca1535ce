"""Run what `sam build` produced, as Lambda would load it: `make build-check` (CI runs it).

The built handlers are imported in an isolated interpreter (`python -I -S`) whose path holds only
the built layer (/opt/python), the built function (/var/task) and the AWS SDK that the Lambda
Python runtime bundles: so a dependency missing from layers/shared/requirements.txt fails here,
not in production. That SDK is tried twice: the newest (this venv's) and the oldest the runtime is
assumed to carry (tools/lambda-runtime-sdk.txt), because the layer's own urllib3 is what the
runtime's botocore then imports. Each sample event of events/action/ is answered (as
tools/sample_answers.json says), the provisioning function searches the local XOXZO emulator and
answers the deploy-time custom resource (events/custom-resource/create.json), and the route-changes
function takes its sample console edit (events/route-changes/). Answering calls must import
neither boto3 nor Powertools (docs/explanation/performance.md). The layer's own modules must ship
bytecode compiled at build time (layers/shared/Makefile).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.local_env import (
    FAKE_CREDENTIALS,
    LOCAL_ACTION_SECRET,
    REGION,
    REPOSITORY,
    create_alarm_topic,
    prepare_tables,
    sample_answers,
    start_local_aws,
    store_xoxzo_credentials,
)
from tools.xoxzo_emulator import XoxzoEmulator

BUILD = REPOSITORY / ".aws-sam" / "build"
SOURCE_LAYER = REPOSITORY / "layers" / "shared"
# What the Lambda Python runtime provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
# The SDK packages whose version follows the runtime's release (the oldest: tools/lambda-runtime-sdk.txt).
SDK_PACKAGES = ("boto3", "botocore", "s3transfer")
OLDEST_RUNTIME_SDK = REPOSITORY / "tools" / "lambda-runtime-sdk.txt"

_PROBE = """
import json, pathlib, sys
sys.path[:0] = sys.argv[1].split("|")
results = {}


class Context:  # the attributes Powertools reads from a Lambda context
    function_name = "built-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:built-function"
    memory_limit_in_mb = 512
    aws_request_id = "build-check"

    @staticmethod
    def get_remaining_time_in_millis():
        return 60000


import action_handler
for event_path in sorted(pathlib.Path(sys.argv[2]).glob("*.json")):
    response = action_handler.lambda_handler(json.loads(event_path.read_text()), Context())
    results[event_path.name] = [response["statusCode"], response["body"]]
# What answering calls imported of what the call path should never need.
results["action imports"] = [name for name in ("boto3", "aws_lambda_powertools") if name in sys.modules]
results["holiday library"] = "holidays" in sys.modules
import boto3, botocore, urllib3
results["sdk"] = f"boto3 {boto3.__version__}, botocore {botocore.__version__}, urllib3 {urllib3.__version__}"
import provisioning_handler
results["provisioning search"] = provisioning_handler.lambda_handler(
    {"operation": "search", "country": "JP"}, Context()
)["ok"]

# The deploy-time custom resource, answered to a loopback stand-in for CloudFormation's URL.
import http.server, threading
answers = []


class CloudFormation(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CloudFormation)
threading.Thread(target=server.serve_forever, daemon=True).start()
events = pathlib.Path(sys.argv[2]).parent
create = json.loads((events / "custom-resource" / "create.json").read_text())
create["ResponseURL"] = f"http://127.0.0.1:{server.server_address[1]}/response"
provisioning_handler.lambda_handler(create, Context())
results["custom resource"] = [answer["Status"] for answer in answers]
server.shutdown()

import route_changes_handler
edit = json.loads((events / "route-changes" / "console-typo.json").read_text())
results["route changes"] = route_changes_handler.lambda_handler(edit, Context())
print(json.dumps(results, ensure_ascii=False))
"""


def runtime_sdk(directory: Path, *, oldest: bool) -> Path:
    """A folder with only the SDK packages of the Lambda runtime: links into this venv (the newest
    SDK), or, with `oldest`, boto3, botocore and s3transfer of tools/lambda-runtime-sdk.txt."""
    site_packages = Path(next(path for path in sys.path if path.endswith("site-packages")))
    if oldest:
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
                *("--no-deps", "--require-hashes", "--only-binary=:all:", "--target", str(directory)),
                *("-r", str(OLDEST_RUNTIME_SDK)),
            ],
            check=True,
        )
    for name in RUNTIME_PACKAGES:
        if not (oldest and name in SDK_PACKAGES):
            (directory / name).symlink_to(site_packages / name)
    return directory


def layer_modules(root: Path) -> list[str]:
    """Every module of the xoxzo_din package under `root`, subpackages included, as relative paths."""
    return sorted(str(path.relative_to(root)) for path in (root / "xoxzo_din").rglob("*.py"))


def unchecked_bytecode_missing(layer: Path) -> list[str]:
    """Modules of the layer's code (every subpackage) without an unchecked-hash .pyc for the
    runtime (layers/shared/Makefile), or missing from the built layer altogether."""
    tag = sys.implementation.cache_tag  # the venv is the runtime's Python version (make venv)
    built = layer_modules(layer)
    missing = [
        f"{name} (not in the built layer)" for name in layer_modules(SOURCE_LAYER) if name not in built
    ]
    for name in built:
        source = layer / name
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        # PEP 552 flags: bit 0 = hash-based, bit 1 = check the source; we want 0b01.
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little") if compiled.is_file() else None
        if flags != 0b01:
            missing.append(name)
    return missing


def run_built_functions(sdk: Path, environment: dict[str, str], paths: tuple[Path, ...]) -> dict[str, Any]:
    """Answer the sample events and search XOXZO with the built functions on the SDK in `sdk`."""
    completed = subprocess.run(
        [
            *(sys.executable, "-I", "-S", "-c", _PROBE),
            "|".join(str(path) for path in (*paths, sdk)),
            str(REPOSITORY / "events" / "action"),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"the built functions failed:\n{completed.stderr}")
    results: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    answered = {name: result for name, result in results.items() if name.endswith(".json")}
    expected = {name: [answer["status"], answer["body"]] for name, answer in sample_answers().items()}
    others = (
        results["provisioning search"],
        results["custom resource"],
        results["route changes"],
        results["action imports"],
    )
    if answered != expected or others != (True, ["SUCCESS"], {"batchItemFailures": []}, []):
        sys.exit(f"unexpected answers from the built functions: {json.dumps(results, ensure_ascii=False)}")
    return results


def main() -> None:
    layer, action, provisioning, route_changes = (
        BUILD / "SharedLayer" / "python",
        BUILD / "ActionFunction",
        BUILD / "ProvisioningFunction",
        BUILD / "RouteChangesFunction",
    )
    missing = [str(path) for path in (layer, action, provisioning, route_changes) if not path.is_dir()]
    if missing:
        sys.exit(f"run `sam build` first; missing {', '.join(missing)}")
    uncompiled = unchecked_bytecode_missing(layer)
    if uncompiled:
        sys.exit(f"the built layer has no unchecked-hash bytecode for {', '.join(uncompiled)}")

    runs = []
    aws, aws_url = start_local_aws()
    try:
        with XoxzoEmulator() as xoxzo:
            environment = {
                **FAKE_CREDENTIALS,
                "AWS_ENDPOINT_URL": aws_url,
                "AWS_DEFAULT_REGION": REGION,
                "ACTION_SECRET": LOCAL_ACTION_SECRET,
                "ACTION_URL": f"http://127.0.0.1:3000/action/{LOCAL_ACTION_SECRET}",
                "XOXZO_API_BASE_URL": xoxzo.base_url,
                "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_NAMESPACE": "XoxzoDinBuildCheck",
                "PATH": "/usr/bin:/bin",
            }
            environment |= prepare_tables(aws_url)
            environment |= {"ALARM_TOPIC_ARN": create_alarm_topic(aws_url), "HISTORY_RETENTION_DAYS": "365"}
            environment["XOXZO_CREDENTIALS_SECRET_ID"] = store_xoxzo_credentials(
                aws_url, xoxzo.sid, xoxzo.auth_token
            )
            for oldest in (False, True):
                with tempfile.TemporaryDirectory() as folder:
                    sdk = runtime_sdk(Path(folder), oldest=oldest)
                    functions = (action, provisioning, route_changes, layer)
                    runs.append(run_built_functions(sdk, environment, functions))
    finally:
        aws.stop()
    answered = {name: result for name, result in runs[0].items() if name.endswith(".json")}
    for name, (status, body) in answered.items():
        print(f"{name:28} {status} {body}")
    modules, tag = len(layer_modules(layer)), sys.implementation.cache_tag
    print(f"built layer: all {modules} xoxzo_din modules have unchecked-hash {tag} bytecode")
    for results in runs:
        print(
            f"built ActionFunction answered {len(answered)} sample events; ProvisioningFunction searched"
            f" XOXZO and answered the custom resource; RouteChangesFunction took the console edit;"
            f" on {results['sdk']}"
        )
    source = "the holiday library" if runs[0]["holiday library"] else "the layer's holiday tables"
    print(f"the ActionFunction imported neither boto3 nor Powertools; its holidays came from {source}")


if __name__ == "__main__":
    main()
