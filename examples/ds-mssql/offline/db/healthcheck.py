"""The stand-in's healthcheck: healthy once a `SELECT 1` on 127.0.0.1:1433 answers `1`. The first time it
passes after the server started, it writes the time (seconds since the epoch) to HEALTHY_SINCE, so a test
can check the app started only after db was healthy."""

import os
import socket
import sys
import time

HEALTHY_SINCE = "/tmp/standin-healthy-since"  # server.py removes it at each start

try:
    with socket.create_connection(("127.0.0.1", 1433), timeout=2) as conn:
        conn.sendall(b"SELECT 1\n")
        ok = conn.makefile("rb").readline().strip() == b"1"
except OSError as error:
    print(error)
    sys.exit(1)
if ok:
    try:
        # Written before this check exits: the engine marks db healthy only after that.
        fd = os.open(HEALTHY_SINCE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, f"{time.time():.6f}\n".encode())
        os.close(fd)
    except FileExistsError:
        pass
sys.exit(0 if ok else 1)
