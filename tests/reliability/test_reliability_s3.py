"""S3 faults and S3 safety against a real S3 API on loopback (moto's server) and two broken
endpoints (one answering 500 to everything, one never answering, one closed port).

Each failure must be retried with backoff, then end as one clear line naming the URL, exit code 2
(docs/architecture.md: nothing could be produced). Writes must ask for server-side encryption and set no ACL.
"""

from __future__ import annotations

import http.server
import socket
import threading

import boto3
import pytest
from hostile_corpus import record, write_good

from flows import cli, pipeline, stages, storage

pytestmark = pytest.mark.integration
RUN = ["run", "--la", "E06000050", "--notification-date", "2026-11-16", "--annex-a"]


@pytest.fixture
def aws(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("PIA_PREFECT", "off")
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return monkeypatch


@pytest.fixture
def moto_s3(aws):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    aws.setenv("PIA_S3_ENDPOINT_URL", endpoint)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    try:  # moto keeps its state per process, across servers
        client.create_bucket(
            Bucket="pia", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    yield client
    server.stop()


class _Always500(http.server.BaseHTTPRequestHandler):
    hits = 0

    def _answer(self):
        type(self).hits += 1
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_PUT = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args):
        pass


def _run_fails_clearly(capsys, url: str) -> str:
    assert cli.main([*RUN, url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pia: ") and err.count("\n") == 1 and url in err
    return err.strip()


def test_missing_objects_are_a_clear_message(moto_s3, capsys):
    err = _run_fails_clearly(capsys, "s3://pia/inbox/nothing-here")
    assert "does not exist" in err
    record("S3 fault", "missing objects (empty prefix)", f"exit 2: “{err}”")


def test_500s_are_retried_with_backoff_then_a_clear_message(aws, capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Always500)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    aws.setenv("PIA_S3_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    aws.setenv("PIA_S3_ATTEMPTS", "3")
    try:
        err = _run_fails_clearly(capsys, "s3://pia/inbox/la")
    finally:
        server.shutdown()
    assert "after 3 attempts" in err and "Internal Server Error" in err
    assert _Always500.hits >= 3
    record(
        "S3 fault",
        "every request answered 500",
        f"{_Always500.hits} requests (retried with backoff), then exit 2: “{err}”",
    )


def test_timeouts_are_retried_then_a_clear_message(aws, capsys):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete, nothing ever answers
    aws.setenv("PIA_S3_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
    aws.setenv("PIA_S3_TIMEOUT", "1")
    aws.setenv("PIA_S3_ATTEMPTS", "2")
    try:
        err = _run_fails_clearly(capsys, "s3://pia/inbox/slow")
    finally:
        silent.close()
    assert "timeout" in err.lower()
    record(
        "S3 fault",
        "endpoint accepts connections and never answers",
        f"timed out, retried, exit 2: “{err}”",
    )


def test_a_closed_port_is_a_clear_message(aws, capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    aws.setenv("PIA_S3_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    aws.setenv("PIA_S3_ATTEMPTS", "2")
    err = _run_fails_clearly(capsys, "s3://pia/inbox/closed")
    assert "Could not connect" in err
    record("S3 fault", "endpoint not listening (closed port)", f"retried, exit 2: “{err}”")


def test_object_keys_with_dot_dot_never_land_outside_the_inbox(moto_s3, tmp_path):
    moto_s3.put_object(Bucket="pia", Key="inbox/la/contacts.csv", Body=b"Child Unique ID\nC1\n")
    moto_s3.put_object(Bucket="pia", Key="inbox/la/../../../../escape.csv", Body=b"x")
    dest = tmp_path / "deep" / "er" / "dest"
    got = storage.fetch_dir("s3://pia/inbox/la", dest)
    assert all(p.resolve().is_relative_to(dest.resolve()) for p in got)
    assert not list(tmp_path.rglob("escape.csv"))
    record(
        "S3 hostile",
        "object key with ../../ under the submission prefix",
        "not copied outside the inbox",
    )


def test_writes_ask_for_encryption_and_set_no_public_acl(moto_s3, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    write_good(folder)
    storage.publish_dir(folder, "s3://pia/out/E06000050/2026-11-16")
    key = "out/E06000050/2026-11-16/contacts.csv"
    assert moto_s3.head_object(Bucket="pia", Key=key)["ServerSideEncryption"] == "AES256"
    grants = moto_s3.get_object_acl(Bucket="pia", Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)
    record(
        "S3 safety",
        "objects written by the product",
        "ServerSideEncryption AES256; owner-only ACL (no public grant)",
    )


def test_landing_from_s3_works(moto_s3, tmp_path):
    moto_s3.put_object(Bucket="pia", Key="inbox/ok/contacts.csv", Body=b"Child Unique ID\nC1\n")
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    landed = stages.stage_land(ctx, "s3://pia/inbox/ok")
    assert (landed / "contacts.csv").read_bytes() == b"Child Unique ID\nC1\n"
