"""The stand-in's healthcheck: healthy once a `SELECT 1` on 127.0.0.1:1433 answers `1`."""

import socket
import sys

try:
    with socket.create_connection(("127.0.0.1", 1433), timeout=2) as conn:
        conn.sendall(b"SELECT 1\n")
        sys.exit(0 if conn.makefile("rb").readline().strip() == b"1" else 1)
except OSError as error:
    print(error)
    sys.exit(1)
