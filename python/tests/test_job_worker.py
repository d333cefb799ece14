"""The job worker of ``examples/job_worker.py`` against ``pipesim serve``: it polls for
the jobs of a custom action, acknowledges them with their nonce and ends them, and the
pipeline goes on (or fails) the way CodePipeline's does."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipesim import Server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load_worker():
    spec = importlib.util.spec_from_file_location("job_worker", EXAMPLES / "job_worker.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


job_worker = _load_worker()

JENKINS = {"category": "Build", "owner": "Custom", "provider": "MyJenkins", "version": "1"}
WEB = {"ProjectName": "web"}


@pytest.fixture(scope="module")
def server():
    # Its own server: new pipelines start nothing by themselves, so each test's one
    # execution is the one it starts.
    with Server(seed=7, virtual_time=True, no_start_on_create=True) as server:
        yield server


@pytest.fixture
def sim(server):
    server.reset()
    return server


def pipeline(name, project="web"):
    """The shipped example: Source (S3), then Build (the custom MyJenkins action
    `Compile`, building `project`), then Deploy (S3)."""
    declaration = json.loads((EXAMPLES / "job-worker-pipeline.json").read_text())
    declaration["name"] = name
    build = next(s for s in declaration["stages"] if s["name"] == "Build")
    build["actions"][0]["configuration"]["ProjectName"] = project
    return declaration


def at_the_custom_action(sim, name="web", project="web"):
    """Creates the custom type (the shipped example), the pipeline and one execution,
    and moves the clock until the execution waits at `Compile`; answers the client and
    the execution id."""
    cp = sim.client()
    action_type = json.loads((EXAMPLES / "custom-action-type.json").read_text())
    cp.create_custom_action_type(**action_type)
    cp.create_pipeline(pipeline=pipeline(name, project))
    execution_id = cp.start_pipeline_execution(name=name)["pipelineExecutionId"]
    sim.advance(1)  # Fetch takes 100 ms; Compile then waits for a job worker
    assert compile_state(cp, name)["status"] == "InProgress"
    return cp, execution_id


def compile_state(cp, name="web"):
    stages = cp.get_pipeline_state(name=name)["stageStates"]
    build = next(s for s in stages if s["stageName"] == "Build")
    return build["actionStates"][0]["latestExecution"]


def execution_status(cp, execution_id, name="web"):
    execution = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)
    return execution["pipelineExecution"]["status"]


def test_the_worker_acknowledges_the_job_and_its_success_lets_the_execution_succeed(sim):
    cp, execution_id = at_the_custom_action(sim)
    outcomes = job_worker.run_worker(cp, JENKINS, job_worker.stepped_work(1), query=WEB, max_polls=3)
    assert [(o.result, o.detail) for o in outcomes] == [("Succeeded", "web: built in 1 step(s)")]

    compile = compile_state(cp)
    assert compile["status"] == "Succeeded"
    assert compile["summary"] == "web: built in 1 step(s)"
    assert compile["externalExecutionId"] == compile["actionExecutionId"]
    assert compile["percentComplete"] == 100
    sim.advance(1)  # Ship
    assert execution_status(cp, execution_id) == "Succeeded"
    # The job is over: GetJobDetails still reads it, and a late result is refused.
    job_id = outcomes[0].job_id
    assert cp.get_job_details(jobId=job_id)["jobDetails"]["id"] == job_id
    with pytest.raises(cp.exceptions.InvalidJobStateException):
        cp.put_job_success_result(jobId=job_id)


def test_a_long_job_goes_on_under_continuation_tokens_until_its_last_step(sim):
    cp, execution_id = at_the_custom_action(sim)
    outcomes = job_worker.run_worker(cp, JENKINS, job_worker.stepped_work(3), query=WEB, max_polls=2)
    assert [(o.result, o.detail) for o in outcomes] == [("Continued", "step-2"), ("Continued", "step-3")]
    compile = compile_state(cp)
    assert compile["status"] == "InProgress"
    assert (compile["summary"], compile["percentComplete"]) == ("web: step 2 of 3", 66)
    assert execution_status(cp, execution_id) == "InProgress"

    outcomes += job_worker.run_worker(cp, JENKINS, job_worker.stepped_work(3), query=WEB, max_polls=2)
    assert [o.result for o in outcomes] == ["Continued", "Continued", "Succeeded"]
    assert len({o.job_id for o in outcomes}) == 3, "each step is a job of its own"
    assert compile_state(cp)["status"] == "Succeeded"
    sim.advance(1)
    assert execution_status(cp, execution_id) == "Succeeded"


def test_a_failure_fails_the_action_with_the_failure_type_as_its_error_code(sim):
    cp, execution_id = at_the_custom_action(sim)

    def misconfigured(job):
        project = job["data"]["actionConfiguration"]["configuration"]["ProjectName"]
        raise job_worker.JobFailure("ConfigurationError", f"No Jenkins project named {project}", "build-41")

    outcomes = job_worker.run_worker(cp, JENKINS, misconfigured, query=WEB, max_polls=1)
    assert [(o.result, o.detail) for o in outcomes] == [("Failed", "ConfigurationError")]
    compile = compile_state(cp)
    assert compile["status"] == "Failed"
    assert compile["errorDetails"] == {"code": "ConfigurationError", "message": "No Jenkins project named web"}
    assert compile["externalExecutionId"] == "build-41"
    assert execution_status(cp, execution_id) == "Failed"


def test_a_poll_with_a_query_param_takes_only_the_jobs_of_its_project(sim):
    cp, web = at_the_custom_action(sim, name="web", project="web")
    cp.create_pipeline(pipeline=pipeline("api", project="api"))
    api = cp.start_pipeline_execution(name="api")["pipelineExecutionId"]
    sim.advance(1)

    outcomes = job_worker.run_worker(cp, JENKINS, job_worker.stepped_work(1), query={"ProjectName": "api"}, max_polls=3)
    assert [o.result for o in outcomes] == ["Succeeded"]
    sim.advance(1)
    assert execution_status(cp, api, "api") == "Succeeded"
    assert execution_status(cp, web, "web") == "InProgress"
    assert compile_state(cp, "web")["status"] == "InProgress"


def test_a_job_handed_out_again_after_a_minute_is_skipped_with_its_stale_nonce(sim):
    cp, execution_id = at_the_custom_action(sim)
    stale = cp.poll_for_jobs(actionTypeId=JENKINS, queryParam=WEB)["jobs"][0]
    sim.advance(61)  # not acknowledged within a minute: handed out again
    fresh = cp.poll_for_jobs(actionTypeId=JENKINS, queryParam=WEB)["jobs"][0]
    assert (fresh["id"], fresh["nonce"]) == (stale["id"], "2")

    class Replay:
        """A client whose next poll answers the stale hand-out, as a slow worker sees it."""

        def __init__(self, client):
            self.client, self.replayed = client, False

        def __getattr__(self, name):
            return getattr(self.client, name)

        def poll_for_jobs(self, **kwargs):
            if not self.replayed:
                self.replayed = True
                return {"jobs": [stale]}
            return self.client.poll_for_jobs(**kwargs)

    outcomes = job_worker.run_worker(Replay(cp), JENKINS, job_worker.stepped_work(1), query=WEB, max_polls=1)
    assert [(o.result, o.detail) for o in outcomes] == [("Skipped", "InvalidNonceException")]
    assert compile_state(cp)["status"] == "InProgress"


def test_the_script_runs_from_the_command_line_against_an_endpoint_url(sim):
    cp, execution_id = at_the_custom_action(sim)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env.pop("AWS_PROFILE", None)  # the keys above, not a profile of this machine
    command = [sys.executable, str(EXAMPLES / "job_worker.py"), "--endpoint-url", sim.endpoint]
    command += ["--query", "ProjectName=web", "--steps", "2", "--max-polls", "3", "--poll-interval", "0.01"]
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "jobs: 2; Continued: 1; Succeeded: 1"
    assert compile_state(cp)["summary"] == "web: built in 2 step(s)"
    sim.advance(1)
    assert execution_status(cp, execution_id) == "Succeeded"

    # A command that fails fails the job, and the script's exit status says so.
    cp.start_pipeline_execution(name="web")
    sim.advance(1)
    failing = command + ["--", sys.executable, "-c", "import sys; sys.exit('tests failed')"]
    ran = subprocess.run(failing, env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    error = compile_state(cp)["errorDetails"]
    assert error["code"] == "JobFailed"
    assert error["message"].startswith("step 1 of web exited 1: tests failed")
