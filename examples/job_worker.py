#!/usr/bin/env python3
"""A job worker for a custom CodePipeline action, in the loop of AWS's Jenkins plugin.

A pipeline action whose owner is ``Custom`` runs only when a job worker takes its job:
the worker polls for jobs of its action type (``PollForJobs``, with ``queryParam`` on the
type's queryable property so it sees only the jobs of its own project), acknowledges
each job with the nonce it came with (``AcknowledgeJob``), does the work, and reports
``PutJobSuccessResult`` with ``executionDetails`` or ``PutJobFailureResult``. A long job
hands back a ``continuationToken`` with its success: the action stays InProgress and
CodePipeline posts a new job carrying the token, so no worker holds one job for hours.

It runs against AWS or against ``pipesim serve`` alike; only the endpoint changes::

    cargo run --release -- serve &
    python examples/job_worker.py --endpoint-url http://127.0.0.1:8409 \\
        --provider MyJenkins --query ProjectName=web --steps 3 --max-polls 20

``run_worker`` is the loop, for a test or a program of your own to call with a boto3
client and a ``work`` function of its choosing.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


class JobFailure(Exception):
    """Raised by a ``work`` function to fail its job: ``failure_type`` is one of the
    API's ``FailureType`` values (``JobFailed``, ``ConfigurationError``,
    ``PermissionError``, ``RevisionOutOfSync``, ``RevisionUnavailable``,
    ``SystemUnavailable``), which becomes the action's ``errorDetails.code``."""

    def __init__(self, failure_type: str, message: str, external_execution_id: Optional[str] = None):
        super().__init__(message)
        self.failure_type = failure_type
        self.message = message
        self.external_execution_id = external_execution_id


@dataclass
class Done:
    """What a ``work`` function answers for a job that went well. With a
    ``continuation_token`` the work is not over: the action stays InProgress and a new
    job carrying the token follows."""

    summary: str
    external_execution_id: Optional[str] = None
    percent_complete: int = 100
    continuation_token: Optional[str] = None
    output_variables: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """One job this worker handled: ``result`` is ``Succeeded``, ``Continued``,
    ``Failed``, or ``Skipped`` (another worker acknowledged it first)."""

    job_id: str
    result: str
    detail: str = ""


Work = Callable[[dict], Done]


def run_worker(
    client: Any,
    action_type_id: dict,
    work: Work,
    *,
    query: Optional[dict[str, str]] = None,
    max_polls: int = 10,
    poll_interval: float = 0.0,
    log: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    """Polls up to ``max_polls`` times for jobs of ``action_type_id`` and handles each
    job it gets with ``work(job)``; answers what became of every job.

    ``work`` answers a ``Done`` or raises ``JobFailure``; any other exception fails
    the job as ``JobFailed`` with the exception's text, as the Jenkins plugin reports
    a broken build. After an empty poll the worker waits ``poll_interval`` seconds."""
    outcomes: list[Outcome] = []
    for _ in range(max_polls):
        polled = client.poll_for_jobs(actionTypeId=action_type_id, maxBatchSize=1, queryParam=query or {})
        if not polled["jobs"]:
            if poll_interval:
                time.sleep(poll_interval)
            continue
        for job in polled["jobs"]:
            outcomes.append(_handle(client, job, work, log))
    return outcomes


def _handle(client: Any, job: dict, work: Work, log: Callable[[str], None]) -> Outcome:
    job_id = job["id"]
    # The nonce proves this worker is the one the job was handed to; a job that no worker
    # acknowledges within a minute is handed out again with a new nonce, and the old one
    # is refused. Either way the job is no longer this worker's.
    try:
        acked = client.acknowledge_job(jobId=job_id, nonce=job["nonce"])
    except client.exceptions.InvalidNonceException as err:
        log(f"{job_id}: not ours any more ({err.response['Error']['Message']})")
        return Outcome(job_id, "Skipped", "InvalidNonceException")
    if acked["status"] != "InProgress":
        return Outcome(job_id, "Skipped", acked["status"])
    log(f"{job_id}: acknowledged")

    try:
        done = work(job)
    except JobFailure as failure:
        details = {"type": failure.failure_type, "message": failure.message}
        if failure.external_execution_id:
            details["externalExecutionId"] = failure.external_execution_id
        client.put_job_failure_result(jobId=job_id, failureDetails=details)
        log(f"{job_id}: failed: {failure.failure_type}: {failure.message}")
        return Outcome(job_id, "Failed", failure.failure_type)
    except Exception as err:  # noqa: BLE001 - any broken build fails its job
        client.put_job_failure_result(jobId=job_id, failureDetails={"type": "JobFailed", "message": str(err)[:5000]})
        log(f"{job_id}: failed: {err}")
        return Outcome(job_id, "Failed", "JobFailed")

    details: dict[str, Any] = {"summary": done.summary, "percentComplete": done.percent_complete}
    if done.external_execution_id:
        details["externalExecutionId"] = done.external_execution_id
    result: dict[str, Any] = {"jobId": job_id, "executionDetails": details}
    # The API takes a continuation token or output variables, never both: variables are
    # for the job that ends the action.
    if done.continuation_token:
        result["continuationToken"] = done.continuation_token
    elif done.output_variables:
        result["outputVariables"] = done.output_variables
    client.put_job_success_result(**result)
    if done.continuation_token:
        log(f"{job_id}: {done.summary} (continues with {done.continuation_token})")
        return Outcome(job_id, "Continued", done.continuation_token)
    log(f"{job_id}: {done.summary}")
    return Outcome(job_id, "Succeeded", done.summary)


def stepped_work(steps: int, command: Optional[list[str]] = None) -> Work:
    """A build in ``steps`` steps, one job each: every job but the last answers a
    continuation token naming the next step. ``command``, if given, runs at each step
    (its exit status decides); without it every step succeeds."""

    def work(job: dict) -> Done:
        data = job["data"]
        token = data.get("continuationToken")
        step = int(token.split("-", 1)[1]) if token else 1
        project = data["actionConfiguration"]["configuration"].get("ProjectName", "")
        run_id = data["pipelineContext"]["action"].get("actionExecutionId", job["id"])
        if command:
            finished = subprocess.run(command, capture_output=True, text=True)
            if finished.returncode != 0:
                tail = (finished.stderr or finished.stdout).strip()[-500:]
                raise JobFailure("JobFailed", f"step {step} of {project} exited {finished.returncode}: {tail}", run_id)
        if step < steps:
            return Done(
                summary=f"{project}: step {step} of {steps}",
                external_execution_id=run_id,
                percent_complete=step * 100 // steps,
                continuation_token=f"step-{step + 1}",
            )
        return Done(summary=f"{project}: built in {steps} step(s)", external_execution_id=run_id)

    return work


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint-url", default=None, help="the CodePipeline endpoint (pipesim: http://127.0.0.1:8409)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--category", default="Build")
    parser.add_argument("--provider", default="MyJenkins")
    parser.add_argument("--version", default="1")
    parser.add_argument("--query", default=None, help="PROPERTY=VALUE: only jobs whose queryable property has this value")
    parser.add_argument("--steps", type=int, default=1, help="steps per build, one job each (continuation tokens)")
    parser.add_argument("--max-polls", type=int, default=10)
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds to wait after an empty poll")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="after --: a command to run at each step")
    args = parser.parse_args(argv)

    import boto3

    client = boto3.client("codepipeline", endpoint_url=args.endpoint_url, region_name=args.region)
    action_type_id = {"category": args.category, "owner": "Custom", "provider": args.provider, "version": args.version}
    query = dict([args.query.split("=", 1)]) if args.query else None
    command = [c for c in args.command if c != "--"] or None
    outcomes = run_worker(
        client,
        action_type_id,
        stepped_work(args.steps, command),
        query=query,
        max_polls=args.max_polls,
        poll_interval=args.poll_interval,
        log=print,
    )
    counts = collections.Counter(o.result for o in outcomes)
    print(f"jobs: {len(outcomes)}", *(f"{result}: {n}" for result, n in sorted(counts.items())), sep="; ")
    return 1 if any(o.result == "Failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
