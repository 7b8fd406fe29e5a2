"""A stand-in for SQL Server, for CI without the internet: it checks what the real image checks at start
(ACCEPT_EULA=Y, a complex enough MSSQL_SA_PASSWORD), takes a moment to start, as SQL Server does, then
listens on TCP 1433 and answers one toy query per line: `SELECT 1` -> `1`."""

import os
import signal
import socketserver
import sys
import time

DATA = "/var/opt/mssql"  # the named volume, as for the real server
HEALTHY_SINCE = "/tmp/standin-healthy-since"  # written by healthcheck.py when it first passes


def fail(message: str) -> None:
    print(f"ERROR: {message}", flush=True)
    sys.exit(1)


def complex_enough(password: str) -> bool:
    # SQL Server's rule: at least 8 characters from three of the four classes.
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return len(password) >= 8 and sum(classes) >= 3


class Handler(socketserver.StreamRequestHandler):
    timeout = 5

    def handle(self) -> None:
        try:
            for raw in self.rfile:
                line = raw.decode("utf-8", "replace").strip()
                self.wfile.write(b"1\n" if line.upper() == "SELECT 1" else b"ERR unsupported\n")
        except OSError:
            pass  # a health probe that connects and closes, or a timeout


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 has no default SIGTERM action
    if os.environ.get("ACCEPT_EULA") != "Y":
        fail("The SQL Server End-User License Agreement (EULA) must be accepted: set ACCEPT_EULA=Y.")
    if not complex_enough(os.environ.get("MSSQL_SA_PASSWORD", "")):
        fail("MSSQL_SA_PASSWORD is missing or not complex enough.")
    # A restarted container keeps /tmp: healthy since this start, not an earlier one.
    if os.path.exists(HEALTHY_SINCE):
        os.remove(HEALTHY_SINCE)
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "standin-starts.log"), "a") as log:
        log.write(f"{time.time()}\n")
    time.sleep(float(os.environ.get("STANDIN_STARTUP_SECONDS", "2")))
    with Server(("0.0.0.0", 1433), Handler) as server:
        print("SQL Server stand-in is ready for client connections on 1433.", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
