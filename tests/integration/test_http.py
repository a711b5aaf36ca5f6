"""HTTP-level robustness: keep-alive, pipelining, slow clients, concurrency, health/reset."""
import http.client
import json
import socket
import threading
import time

from helpers import TARGET_PREFIX, cluster_arn, sdk_authorization, start_berth

AUTH = sdk_authorization()


def request_bytes(op, body, close=False):
    payload = json.dumps(body).encode()
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: {TARGET_PREFIX}.{op}\r\nAuthorization: {AUTH}\r\nContent-Length: {len(payload)}\r\n"
            + ("Connection: close\r\n" if close else "") + "\r\n").encode()
    return head + payload


def read_responses(sock, n, timeout=10):
    """Reads n HTTP/1.1 responses (Content-Length framed) from a socket."""
    sock.settimeout(timeout)
    buf, out = b"", []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} responses: {buf[:200]!r}"
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower().decode(): v.strip().decode()
                   for k, v in (line.split(b":", 1) for line in lines[1:])}
        length = int(headers.get("content-length", 0))
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed mid-body"
            rest += chunk
        out.append((status, headers, json.loads(rest[:length])))
        buf = rest[length:]
    return out


def test_health_and_reset(berth):
    status, headers, body = berth.http("GET", "/_berth/health")
    assert status == 200 and body["status"] == "ok"
    berth.ok("CreateCluster", {"clusterName": "r"})
    # A reset a browser could send cross-site without asking (no JSON content type) is refused.
    assert berth.http("POST", "/_berth/reset", b"")[0] == 400
    assert berth.http("POST", "/_berth/reset", b"", {"Content-Type": "text/plain"})[0] == 400
    assert berth.ok("ListClusters", {})["clusterArns"] == [cluster_arn("r")]
    assert berth.http("POST", "/_berth/reset", b"", {"Content-Type": "application/json"})[0] == 200
    assert berth.ok("ListClusters", {})["clusterArns"] == []


def test_success_headers(raw):
    status, headers, body = raw("ListClusters", {})
    assert status == 200
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert len(headers["x-amzn-requestid"]) >= 32
    assert body == {"clusterArns": []}
    # Request ids are unique.
    assert raw("ListClusters", {})[1]["x-amzn-requestid"] != headers["x-amzn-requestid"]


def test_keep_alive_several_requests_one_connection(berth):
    conn = http.client.HTTPConnection("127.0.0.1", berth.port, timeout=10)
    try:
        sockets = set()
        for i in range(6):
            conn.request("POST", "/", body=json.dumps({"clusterName": f"ka{i}"}),
                         headers={"X-Amz-Target": f"{TARGET_PREFIX}.CreateCluster",
                                  "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
            r = conn.getresponse()
            body = json.loads(r.read())
            assert r.status == 200 and body["cluster"]["clusterName"] == f"ka{i}"
            assert not r.will_close
            sockets.add(id(conn.sock))
        assert len(sockets) == 1  # never reconnected
        conn.request("POST", "/", body="{}", headers={"X-Amz-Target": f"{TARGET_PREFIX}.ListClusters",
                                                      "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
        r = conn.getresponse()
        assert json.loads(r.read())["clusterArns"] == [cluster_arn(f"ka{i}") for i in range(6)]
        # An error does not close the connection either.
        conn.request("POST", "/", body="{", headers={"X-Amz-Target": f"{TARGET_PREFIX}.ListClusters",
                                                     "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
        r = conn.getresponse()
        assert r.status == 400 and json.loads(r.read())["__type"] == "SerializationException"
        conn.request("POST", "/", body="{}", headers={"X-Amz-Target": f"{TARGET_PREFIX}.ListClusters",
                                                      "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
        assert conn.getresponse().status == 200
        assert len(sockets | {id(conn.sock)}) == 1
    finally:
        conn.close()


def test_pipelined_requests_answered_in_order(berth):
    with socket.create_connection(("127.0.0.1", berth.port), timeout=10) as s:
        s.sendall(request_bytes("CreateCluster", {"clusterName": "first"})
                  + request_bytes("DescribeClusters", {"clusters": ["first", "second"]})
                  + request_bytes("CreateCluster", {"clusterName": "second"}, close=True))
        (st1, h1, b1), (st2, h2, b2), (st3, h3, b3) = read_responses(s, 3)
        assert st1 == 200 and b1["cluster"]["clusterName"] == "first"
        # The second request ran after the first and before the third.
        assert st2 == 200 and [c["clusterName"] for c in b2["clusters"]] == ["first"]
        assert b2["failures"] == [{"arn": cluster_arn("second"), "reason": "MISSING"}]
        assert st3 == 200 and b3["cluster"]["clusterName"] == "second"
        assert h3.get("connection", "").lower() == "close"
        assert s.recv(10) == b""  # closed after the Connection: close request


def test_stalled_client_does_not_block_others(berth):
    stalled = []
    try:
        for i in range(8):
            s = socket.create_connection(("127.0.0.1", berth.port), timeout=10)
            whole = request_bytes("CreateCluster", {"clusterName": f"stall{i}"})
            # Half the headers, or all headers and half the body.
            s.sendall(whole[: len(whole) // 2] if i % 2 else whole[:-5])
            stalled.append(s)
        t0 = time.monotonic()
        for i in range(20):
            assert berth.ok("CreateCluster", {"clusterName": f"ok{i}"})["cluster"]["status"] == "ACTIVE"
        assert time.monotonic() - t0 < 10
        assert berth.ok("ListClusters", {})["clusterArns"] == sorted(cluster_arn(f"ok{i}") for i in range(20))
        # Finishing one of the stalled requests still works.
        whole = request_bytes("CreateCluster", {"clusterName": "stall0"})
        stalled[0].sendall(whole[-5:])
        [(status, _, body)] = read_responses(stalled[0], 1)
        assert status == 200 and body["cluster"]["clusterName"] == "stall0"
    finally:
        for s in stalled:
            s.close()


def test_client_disconnect_mid_request_is_harmless(berth):
    for i in range(5):
        s = socket.create_connection(("127.0.0.1", berth.port), timeout=5)
        s.sendall(request_bytes("CreateCluster", {"clusterName": f"half{i}"})[:-3])
        s.close()
    assert berth.ok("ListClusters", {})["clusterArns"] == []
    assert berth.alive()


def test_concurrent_clients(berth):
    berth.ok("CreateCluster", {"clusterName": "busy", "tags": [{"key": "k", "value": "v"}]})
    errors, statuses = [], []
    lock = threading.Lock()
    start = threading.Barrier(32)

    def worker(n):
        conn = http.client.HTTPConnection("127.0.0.1", berth.port, timeout=30)
        got = []
        try:
            start.wait()
            for i in range(50):
                conn.request("POST", "/", body=json.dumps({"clusters": ["busy", f"missing{n}"], "include": ["TAGS"]}),
                             headers={"X-Amz-Target": f"{TARGET_PREFIX}.DescribeClusters",
                                      "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
                r = conn.getresponse()
                body = json.loads(r.read())
                got.append(r.status)
                if r.status != 200 or body["clusters"][0]["tags"] != [{"key": "k", "value": "v"}] \
                        or body["failures"] != [{"arn": cluster_arn(f"missing{n}"), "reason": "MISSING"}]:
                    with lock:
                        errors.append((n, i, r.status, body))
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append((n, "exception", repr(e)))
        finally:
            conn.close()
            with lock:
                statuses.extend(got)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:5]
    assert statuses == [200] * (32 * 50)


def test_concurrent_writers_get_distinct_revisions(berth):
    revisions, errors = [], []
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", berth.port, timeout=30)
        try:
            for _ in range(10):
                conn.request("POST", "/", body=json.dumps({"family": "race", "containerDefinitions": [
                    {"name": "c", "image": "busybox", "memory": 32}]}),
                    headers={"X-Amz-Target": f"{TARGET_PREFIX}.RegisterTaskDefinition",
                             "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTH})
                r = conn.getresponse()
                body = json.loads(r.read())
                with lock:
                    if r.status == 200:
                        revisions.append(body["taskDefinition"]["revision"])
                    else:
                        errors.append((r.status, body))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:5]
    assert sorted(revisions) == list(range(1, 81))
    listed = berth.ok("ListTaskDefinitions", {"familyPrefix": "race", "maxResults": 100})["taskDefinitionArns"]
    assert len(listed) == 80


def test_unknown_path_and_method(berth):
    status, headers, body = berth.http("GET", "/nothing-here", headers={"Authorization": AUTH})
    assert status == 404 and body["__type"] and body["message"] and headers.get("x-amzn-requestid")
    status, headers, body = berth.http("GET", "/", headers={"Authorization": AUTH})
    assert 400 <= status < 500 and body["__type"]
