"""A stand-in for the Jupyter app, for CI without the internet. At start it checks what the real app
relies on: the environment compose.yaml gives it, that `db` resolves by its service name and answers a
query on 1433 (it waits for that up to a minute, as a client would; with depends_on: service_healthy the
first attempt succeeds, and the result says how many it took), that it has a TTY (tty: true), and that
the helper module imports from the bind-mounted code folder (src/, on PYTHONPATH) and builds the right
connection string. It writes the result to notebooks/.ci-result.json (through the notebooks bind mount)
and serves it on :8888 until stopped.

`check.py --healthy` is its healthcheck: healthy when the result file says every check passed."""

import hashlib
import http.server
import json
import os
import signal
import socket
import sys
import time

WORK = "/home/jovyan/work"
CODE = "/home/jovyan/src"
RESULT = os.path.join(WORK, ".ci-result.json")
DB_WAIT_SECONDS = 60


def check_environment() -> dict:
    env = os.environ
    return {
        "DB_HOST": env.get("DB_HOST") == "db",
        "DB_PORT": env.get("DB_PORT") == "1433",
        "DB_NAME": bool(env.get("DB_NAME")),
        "DB_USER": bool(env.get("DB_USER")),
        "MSSQL_SA_PASSWORD": bool(env.get("MSSQL_SA_PASSWORD")),
        "no_host_docker_internal": "host.docker.internal" not in json.dumps(dict(env)),
    }


def check_database(details: dict) -> dict:
    host, port = os.environ.get("DB_HOST", "db"), int(os.environ.get("DB_PORT", "1433"))
    checks = {"dns": False, "select_1": False}
    deadline = time.monotonic() + DB_WAIT_SECONDS
    attempts = 0
    # Wait for db as a client would: resolve its name, connect, `SELECT 1`, again every half second until
    # it answers or a minute has passed. Health gating shows in `db_attempts`: 1 when db was ready first.
    while True:
        attempts += 1
        try:
            details["db_address"] = socket.gethostbyname(host)
            checks["dns"] = True
            with socket.create_connection((host, port), timeout=5) as conn:
                conn.sendall(b"SELECT 1\n")
                checks["select_1"] = conn.makefile("rb").readline().strip() == b"1"
            if checks["select_1"]:
                details.pop("db_error", None)
                break
            details["db_error"] = "SELECT 1 did not answer 1"
        except OSError as error:
            details["db_error"] = str(error)
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    details["db_attempts"] = attempts
    return checks


def check_module(details: dict) -> dict:
    try:
        # Found through PYTHONPATH (compose.yaml), as a notebook finds it: nothing added to sys.path here.
        import mssql  # noqa: PLC0415 - the helper in the code bind mount

        details["module_file"] = mssql.__file__
        conn_str = mssql.connection_string()
        details["connection_string_server"] = next(
            (p for p in conn_str.split(";") if p.startswith("SERVER=")), None
        )
        return {
            "code_mount": os.path.dirname(mssql.__file__) == CODE,
            "module": "SERVER=db,1433;" in conn_str and "DRIVER={ODBC Driver 18 for SQL Server};" in conn_str,
        }
    except Exception as error:  # noqa: BLE001 - reported in the result
        details["module_error"] = repr(error)
        return {"code_mount": False, "module": False}


def run_checks() -> dict:
    details: dict = {"hostname": socket.gethostname()}
    checks = {
        **check_environment(),
        **check_database(details),
        "stdin_tty": sys.stdin.isatty(),
        "stdout_tty": os.isatty(1),
        **check_module(details),
    }
    password = os.environ.get("MSSQL_SA_PASSWORD", "")
    # The password itself never leaves the container; its hash lets the test compare it with .env.
    details["password_sha256"] = hashlib.sha256(password.encode()).hexdigest()
    return {"ok": all(checks.values()), "checks": checks, "details": details}


def healthy() -> None:
    try:
        with open(RESULT) as f:
            sys.exit(0 if json.load(f)["ok"] else 1)
    except (OSError, ValueError, KeyError):
        sys.exit(1)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 has no default SIGTERM action
    result = run_checks()
    body = (json.dumps(result, indent=2, sort_keys=True) + "\n").encode()
    tmp = RESULT + ".tmp"
    with open(tmp, "wb") as f:
        f.write(body)
    os.replace(tmp, RESULT)
    print(("all checks passed" if result["ok"] else "FAILED") + ": " + json.dumps(result["checks"]), flush=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    http.server.ThreadingHTTPServer(("0.0.0.0", 8888), Handler).serve_forever()


if __name__ == "__main__":
    healthy() if sys.argv[1:] == ["--healthy"] else main()
