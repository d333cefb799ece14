"""`pipesim.Server`: starting, stopping, boto3, and every admin method."""

import urllib.request

import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import two_stages
from pipesim import PipesimError, Server, binary_path


def status(cp, execution_id):
    execution = cp.get_pipeline_execution(pipelineName="P", pipelineExecutionId=execution_id)
    return execution["pipelineExecution"]["status"]


def test_a_server_answers_boto3_on_its_endpoint_and_stops_on_exit():
    with Server(seed=3, no_start_on_create=True) as server:
        assert server.endpoint == f"http://127.0.0.1:{server.port}"
        assert server.health()["status"] == "ok"
        assert server.health()["seed"] == 3
        cp = server.client()
        cp.create_pipeline(pipeline=two_stages("P"))
        assert [p["name"] for p in cp.list_pipelines()["pipelines"]] == ["P"]
        endpoint = server.endpoint
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{endpoint}/_pipesim/health", timeout=2)


def test_advance_moves_virtual_time_and_finish_action_fails_an_action(pipesim):
    cp = pipesim.client()
    cp.create_pipeline(pipeline=two_stages("P"))
    first = cp.start_pipeline_execution(name="P")["pipelineExecutionId"]
    assert status(cp, first) == "InProgress"
    pipesim.advance(1)
    assert status(cp, first) == "Succeeded"

    failed = cp.start_pipeline_execution(name="P")["pipelineExecutionId"]
    pipesim.advance(0.1)  # Fetch is done; Ship runs
    pipesim.finish_action("P", failed, "Deploy", "Ship", "Failed", code="Boom", message="no")
    assert status(cp, failed) == "Failed"
    ship = cp.get_pipeline_state(name="P")["stageStates"][1]["actionStates"][0]
    assert ship["latestExecution"]["errorDetails"] == {"code": "Boom", "message": "no"}


def test_script_action_fails_the_next_runs_as_told(pipesim):
    cp = pipesim.client()
    cp.create_pipeline(pipeline=two_stages("P"))
    pipesim.advance(3)  # the execution CreatePipeline starts, as AWS's does, runs first
    left = pipesim.script_action("P", "Deploy", "Ship", [{"result": "Failed", "message": "d-1"}])
    assert left == 1
    failed = cp.start_pipeline_execution(name="P")["pipelineExecutionId"]
    pipesim.advance(1)
    passed = cp.start_pipeline_execution(name="P")["pipelineExecutionId"]
    pipesim.advance(1)
    assert (status(cp, failed), status(cp, passed)) == ("Failed", "Succeeded")


def test_a_test_plays_a_lambda_function_with_set_job_worker_and_jobs(pipesim):
    cp = pipesim.client()
    cp.create_pipeline(pipeline=two_stages("P"))
    pipesim.advance(3)  # the execution CreatePipeline starts runs first
    pipesim.set_job_worker("P", "Deploy", "Ship")
    waiting = cp.start_pipeline_execution(name="P")["pipelineExecutionId"]
    pipesim.advance(3600)
    assert status(cp, waiting) == "InProgress"
    [job] = [j for j in pipesim.jobs() if j["pipelineExecutionId"] == waiting]
    assert (job["stageName"], job["actionName"], job["status"]) == ("Deploy", "Ship", "Queued")
    cp.put_job_success_result(jobId=job["jobId"])
    assert status(cp, waiting) == "Succeeded"
    with pytest.raises(PipesimError):
        pipesim.set_job_worker("P", "Deploy", "Nope")


def test_a_fault_rule_answers_the_error_it_names_until_cleared(pipesim):
    cp = pipesim.client(config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    cp.create_pipeline(pipeline=two_stages("P"))
    rule = pipesim.add_fault(operation="StartPipelineExecution", error="ConflictException", times=1)
    assert rule == "fault-1"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cp.start_pipeline_execution(name="P")
    assert refused.value.response["Error"]["Code"] == "ConflictException"
    pipesim.add_fault(operation="StartPipelineExecution", latency_ms=1, error="ThrottlingException")
    pipesim.clear_faults()
    assert cp.start_pipeline_execution(name="P")["pipelineExecutionId"]


def test_a_refused_admin_call_raises_with_the_servers_reason(pipesim):
    with pytest.raises(PipesimError, match="PipelineNotFoundException"):
        pipesim.finish_action("Nope", "00000000-0000-4000-8000-000000000000", "Deploy", "Ship")
    with pytest.raises(PipesimError, match="seconds must be between 0"):
        pipesim.advance(-1)
    with pytest.raises(PipesimError, match="error"):
        pipesim.add_fault(operation="StartPipelineExecution", error="NoSuchError")


def test_a_server_that_cannot_start_raises_with_its_message():
    with pytest.raises(PipesimError, match="unexpected argument '--no-such-flag'"):
        Server(no_such_flag=True).start()
    with pytest.raises(PipesimError, match="not running"):
        Server().client()


def test_two_servers_with_one_seed_give_the_same_ids():
    ids = []
    for _ in range(2):
        with Server(seed=11, virtual_time=True, no_start_on_create=True) as server:
            cp = server.client()
            cp.create_pipeline(pipeline=two_stages("P"))
            ids.append([cp.start_pipeline_execution(name="P")["pipelineExecutionId"] for _ in range(3)])
    assert ids[0] == ids[1]


def test_the_binary_is_found_beside_the_interpreter_or_where_pipesim_binary_says(monkeypatch):
    assert binary_path().endswith("pipesim")
    monkeypatch.setenv("PIPESIM_BINARY", "/nowhere/pipesim")
    assert binary_path() == "/nowhere/pipesim"
    with pytest.raises((PipesimError, OSError)):
        Server().start()


def test_an_admin_token_is_sent_with_every_admin_call():
    with Server(admin_token="s3cret", virtual_time=True) as server:
        assert server.advance(1)["now"] > 0
        server.reset()
