"""The visit counter: every request increments a counter in Redis and says which container answered."""

import os
import socket
import time

import redis
from flask import Flask

app = Flask(__name__)
store = redis.Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379)


def visits() -> int:
    # Redis is healthy before the app starts (depends_on: service_healthy), but a restart of Redis alone
    # can still drop a connection: retry briefly instead of failing the request.
    for attempt in range(5):
        try:
            return store.incr("visits")
        except redis.exceptions.ConnectionError:
            if attempt == 4:
                raise
            time.sleep(0.5)
    raise RuntimeError("unreachable")


@app.route("/")
def index() -> str:
    return f"Hello from {socket.gethostname()}! This page has been visited {visits()} times.\n"


@app.route("/health")
def health() -> str:
    store.ping()
    return "ok\n"
