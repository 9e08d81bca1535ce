"""The RoutesTable's stream, run locally as Lambda runs it: `make local` reads moto's DynamoDB Streams
and hands every batch of changes to the RouteChangesFunction, so that the local stack keeps the
history of its routes (`xoxzo-din routes history` and `restore`) and checks every edit, as a
deployed one does. The alerts it sends to the alarm topic are printed (through an SQS queue
subscribed to the topic, as an operator's e-mail subscription would receive them).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Self, TextIO

import boto3

from tools.local_env import REGION

POLL_SECONDS = 0.5  # Lambda's poller is about as quick; a deployed batch waits up to 10 s
BATCH_SIZE = 100  # the template's BatchSize for the stream


def lambda_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """Stream records (as the DynamoDB Streams API gives them through boto3) as the event Lambda's
    event source mapping delivers: the creation time in whole epoch seconds, the source ARN."""
    delivered = []
    for record in records:
        data = dict(record["dynamodb"])
        created = data.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            data["ApproximateCreationDateTime"] = int(created.timestamp())
        delivered.append({**record, "dynamodb": data, "awsRegion": REGION, "eventSourceARN": stream_arn})
    return {"Records": delivered}


class _Poller:
    """Calls `poll` every POLL_SECONDS on a thread of its own, from `start` to `stop`; a failed poll
    is written to `_report` (with `_failure`, what failed) and polling goes on."""

    _failure = "polling failed"

    def __init__(self, name: str, report: TextIO) -> None:
        self._report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def poll(self) -> int:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.poll()
            except Exception as error:  # moto stopped, or a bug: say so, keep polling
                self._report.write(f"{self._failure}: {error!r}\n")


class StreamRelay(_Poller):
    """Polls the stream of one table from now on (its seed data is not history) and delivers each
    batch to `deliver`, one at a time, in order; a failed delivery is reported and not retried."""

    _failure = "[route changes] reading the stream failed"

    def __init__(
        self,
        endpoint_url: str | None,
        table_name: str,
        deliver: Callable[[dict[str, Any]], Any],
        *,
        report: TextIO = sys.stderr,
    ) -> None:
        super().__init__("stream-relay", report)
        self._deliver = deliver
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=REGION)
        self.stream_arn: str = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._streams = boto3.client("dynamodbstreams", endpoint_url=endpoint_url, region_name=REGION)
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self._iterators: list[str] = [
            self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for shard in shards
        ]

    def poll(self) -> int:
        """Deliver what the stream has now; the number of records delivered."""
        delivered = 0
        for index, iterator in enumerate(self._iterators):
            if not iterator:
                continue
            page = self._streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
            self._iterators[index] = page.get("NextShardIterator") or ""
            records = page.get("Records", [])
            if not records:
                continue
            try:
                answer = self._deliver(lambda_event(records, self.stream_arn))
            except Exception as error:  # a local run reports it and goes on, Lambda would retry
                self._report.write(f"[route changes] a batch of {len(records)} change(s) failed: {error!r}\n")
                continue
            failures = (answer or {}).get("batchItemFailures") if isinstance(answer, dict) else None
            if failures:
                self._report.write(f"[route changes] {len(failures)} change(s) could not be read\n")
            delivered += len(records)
        return delivered


class AlertPrinter(_Poller):
    """Prints what the alarm topic receives (an SQS queue subscribed to it, polled)."""

    _failure = "[edit alert] reading the alarm topic failed"

    def __init__(self, endpoint_url: str | None, topic_arn: str, *, out: TextIO = sys.stdout) -> None:
        super().__init__("alert-printer", sys.stderr)
        self._out = out
        self._sqs = boto3.client("sqs", endpoint_url=endpoint_url, region_name=REGION)
        self._queue = self._sqs.create_queue(QueueName="local-alarms-printer")["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=self._queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns = boto3.client("sns", endpoint_url=endpoint_url, region_name=REGION)
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def poll(self) -> int:
        """Print the alerts received; how many."""
        messages = self._sqs.receive_message(QueueUrl=self._queue, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            envelope = json.loads(message["Body"])
            subject, body = envelope.get("Subject", ""), envelope.get("Message", "")
            self._out.write(f"\n[edit alert] {subject}\n{body}\n\n")
            self._out.flush()
            self._sqs.delete_message(QueueUrl=self._queue, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)
