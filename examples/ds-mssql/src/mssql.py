"""Connect to the project's SQL Server with pyodbc and run queries.

The connection settings come from the app container's environment (compose.yaml): DB_HOST (the service
name `db`), DB_PORT, DB_NAME, DB_USER and MSSQL_SA_PASSWORD.

    import mssql
    mssql.query("SELECT @@VERSION AS version")      # a list of dicts
    mssql.dataframe("SELECT name FROM sys.databases")  # a pandas DataFrame

It lives in the project's src/ folder, bind-mounted at /home/jovyan/src, which is on PYTHONPATH
(compose.yaml). From a terminal: `tcompose exec app python -m mssql`.
"""

import os

DRIVER = "ODBC Driver 18 for SQL Server"


def _odbc_value(value: str) -> str:
    # ODBC connection-string values with `;`, `{` or `}` are wrapped in braces, `}` doubled.
    if any(c in value for c in ";{}") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def connection_string(env=None) -> str:
    """The ODBC connection string for the `db` service, from the environment."""
    env = os.environ if env is None else env
    parts = {
        "DRIVER": "{" + DRIVER + "}",
        "SERVER": f"{env.get('DB_HOST', 'db')},{env.get('DB_PORT', '1433')}",
        "DATABASE": env.get("DB_NAME", "master"),
        "UID": env.get("DB_USER", "sa"),
        "PWD": _odbc_value(env["MSSQL_SA_PASSWORD"]),
        # Driver 18 encrypts by default; the container's certificate is self-signed.
        "Encrypt": "yes",
        "TrustServerCertificate": "yes",
    }
    return ";".join(f"{k}={v}" for k, v in parts.items()) + ";"


def connect(timeout: int = 10):
    """A new pyodbc connection (autocommit on, handy in notebooks)."""
    import pyodbc  # imported here so the module loads (and can be tested) without the driver

    return pyodbc.connect(connection_string(), timeout=timeout, autocommit=True)


def query(sql: str, *params):
    """Runs one statement and returns its rows as dicts (an empty list when it returns none)."""
    conn = connect()
    try:
        cursor = conn.cursor()
        cursor.execute(sql, *params)
        if cursor.description is None:
            return []
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        conn.close()


def dataframe(sql: str, *params):
    """Runs one query and returns a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame.from_records(query(sql, *params))


if __name__ == "__main__":
    for row in query("SELECT @@SERVERNAME AS server, DB_NAME() AS db, @@VERSION AS version"):
        print(row)
