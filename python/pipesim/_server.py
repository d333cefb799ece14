"""``Server``: one ``pipesim serve`` process, started and stopped from Python."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Optional

# The line `pipesim serve` logs once it listens, naming the address it took.
_LISTENING = re.compile(r"pipesim listening on (http://[0-9.]+:(\d+))")


class PipesimError(Exception):
    """The server could not start, or an admin call was refused (its reason attached)."""


def binary_path() -> str:
    """Where the ``pipesim`` binary is: ``$PIPESIM_BINARY``, else the one this package
    installed beside the Python interpreter, else the first on ``PATH``."""
    given = os.environ.get("PIPESIM_BINARY")
    if given:
        return given
    name = "pipesim.exe" if sys.platform == "win32" else "pipesim"
    installed = os.path.join(sysconfig.get_path("scripts"), name)
    if os.path.exists(installed):
        return installed
    found = shutil.which(name)
    if found:
        return found
    raise PipesimError(
        "the pipesim binary was not found: install this package with pip (the wheel "
        "carries it), put pipesim on PATH, or set PIPESIM_BINARY"
    )


def _flags(options: dict[str, Any]) -> list[str]:
    """``pipesim serve`` flags from keyword options: ``action_duration_ms=50`` is
    ``--action-duration-ms 50``, ``virtual_time=True`` is ``--virtual-time``, and
    ``False`` or ``None`` leaves a flag out."""
    flags = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            flags.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                flags += [flag, str(item)]
        else:
            flags += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return flags


class Server:
    """A ``pipesim serve`` process on a free loopback port.

    Keyword options are ``pipesim serve`` flags (``seed``, ``virtual_time``,
    ``action_duration_ms``, ``scenario``, ``state_file``, ``admin_token``, ...; see
    ``pipesim serve --help``). Use it as a context manager, or call ``start`` and
    ``stop``. ``endpoint`` and ``port`` are set once it has started.
    """

    def __init__(self, *, binary: Optional[str] = None, startup_timeout: float = 30.0, **options: Any):
        self.options = dict(options)
        self.binary = binary
        self.startup_timeout = startup_timeout
        self.endpoint: Optional[str] = None
        self.port: Optional[int] = None
        self._process: Optional[subprocess.Popen] = None
        self._log: collections.deque[str] = collections.deque(maxlen=200)

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> "Server":
        """Starts the server and waits until ``GET /_pipesim/health`` answers.

        Raises ``PipesimError`` with the server's own message if it exits or does not
        answer within ``startup_timeout`` seconds."""
        if self._process is not None:
            raise PipesimError("this server is already started")
        options = {"port": 0, "host": "127.0.0.1", **self.options}
        command = [self.binary or binary_path(), "serve", *_flags(options)]
        env = dict(os.environ)
        # The address is read from the log line, so the log must say it.
        env["RUST_LOG"] = "info"
        env.setdefault("NO_COLOR", "1")
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        listening = threading.Event()
        threading.Thread(target=self._drain, args=(listening,), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while not listening.wait(0.05):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._fail("pipesim serve did not start")
        while True:
            try:
                self.health()
                return self
            except PipesimError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self._fail("pipesim serve does not answer its health check")
                time.sleep(0.02)

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after five seconds)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _drain(self, listening: threading.Event) -> None:
        """Reads the server's log for as long as it runs, so its pipe never fills; the
        last lines are kept for error messages."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._log.append(line.rstrip())
            found = _LISTENING.search(line)
            if found and not listening.is_set():
                self.endpoint, self.port = found.group(1), int(found.group(2))
                listening.set()

    def _fail(self, what: str) -> None:
        self.stop()
        time.sleep(0.05)  # let the log reader take the last lines
        log = "\n".join(self._log) or "(no output)"
        raise PipesimError(f"{what}:\n{log}")

    # -- clients -----------------------------------------------------------------------

    def client(self, service_name: str = "codepipeline", **kwargs: Any) -> Any:
        """A boto3 client for this server: region us-east-1 and dummy credentials unless
        given. Needs boto3 (``pip install pipesim[boto3]``)."""
        try:
            import boto3
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise PipesimError("Server.client needs boto3: pip install 'pipesim[boto3]'") from err
        kwargs.setdefault("region_name", "us-east-1")
        kwargs.setdefault("aws_access_key_id", "testing")
        kwargs.setdefault("aws_secret_access_key", "testing")
        return boto3.client(service_name, endpoint_url=self._endpoint(), **kwargs)

    # -- the admin API -----------------------------------------------------------------

    def health(self) -> dict:
        """``{"status": "ok", "version": ..., "seed": ...}``."""
        return self._admin("GET", "health")

    def advance(self, seconds: float) -> dict:
        """Moves virtual time (``virtual_time=True``), firing every timer on the way."""
        return self._admin("POST", "clock/advance", {"seconds": seconds})

    def reset(self) -> None:
        """Clears every pipeline, execution, fault rule and rate limit; the clock keeps
        its time."""
        self._admin("POST", "reset", {})

    def add_fault(self, **rule: Any) -> str:
        """Installs a fault rule (the fields of ``POST /_pipesim/faults``, in camelCase
        or snake_case); answers its id."""
        return self._admin("POST", "faults", _camel(rule))["id"]

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self._admin("DELETE", "faults")

    def finish_action(
        self,
        pipeline: str,
        execution_id: str,
        stage: str,
        action: str,
        result: str = "Succeeded",
        *,
        code: Optional[str] = None,
        message: Optional[str] = None,
    ) -> None:
        """Ends a running action now: ``result`` is ``Succeeded``, ``Failed`` or ``Held``,
        with a failure's ``code`` and ``message`` if you choose them."""
        body = {
            "pipeline": pipeline,
            "executionId": execution_id,
            "stage": stage,
            "action": action,
            "result": result,
        }
        body.update({k: v for k, v in (("code", code), ("message", message)) if v is not None})
        self._admin("POST", "actions/finish", body)

    def script_action(self, pipeline: str, stage: str, action: str, runs: list[dict]) -> int:
        """Scripts how the action's next runs end (``[{"result": "Failed", "message":
        ...}, ...]``); answers how many scripted runs it has left."""
        body = {"pipeline": pipeline, "stage": stage, "action": action, "runs": runs}
        return self._admin("POST", "actions/script", body)["runsLeft"]

    def set_job_worker(self, pipeline: str, stage: str, action: str, on: bool = True) -> None:
        """Makes each new run of the action wait for a job worker (or, with ``on=False``,
        end by itself again): it ends only with ``put_job_success_result`` or
        ``put_job_failure_result``, so a test can play a Lambda invoke action's function."""
        body = {"pipeline": pipeline, "stage": stage, "action": action, "jobWorker": on}
        self._admin("POST", "actions/job-worker", body)

    def jobs(self) -> list[dict]:
        """Every job of the server's account and region, oldest first: ``jobId``,
        ``kind``, ``status``, ``pipelineName``, ``pipelineExecutionId``, ``stageName``,
        ``actionName``, ``actionTypeId``, and ``nonce``/``clientId`` once handed out."""
        return self._admin("GET", "jobs")["jobs"]

    def _endpoint(self) -> str:
        if self.endpoint is None or self._process is None:
            raise PipesimError("the server is not running: use it as a context manager or call start()")
        return self.endpoint

    def _admin(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self._endpoint()}/_pipesim/{path}", data=data, method=method)
        request.add_header("content-type", "application/json")
        token = self.options.get("admin_token")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read().decode()
        except urllib.error.HTTPError as err:
            detail = err.read().decode()
            try:
                detail = json.loads(detail).get("error", detail)
            except ValueError:
                pass
            raise PipesimError(f"{method} /_pipesim/{path}: {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            raise PipesimError(f"{method} /_pipesim/{path}: {err}") from None
        return json.loads(text) if text else None


def _camel(fields: dict[str, Any]) -> dict[str, Any]:
    """``latency_ms`` as ``latencyMs``: the admin API's field names."""

    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    return {camel(key): value for key, value in fields.items()}
