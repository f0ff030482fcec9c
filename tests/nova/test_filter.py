# SPDX-License-Identifier: Apache-2.0
"""VfioCompatFilter with Debian's nova against a live vfio-compatd.

Run by tests/nova/test_filter.sh, which starts the server, loads the
fleet in tests/nova/data/ and exports:
  VC_URL            base URL of the server
  VC_READER_TOKEN   file with a reader token accepted by the server
  VC_TLS_URL        https URL of a second server with the same fleet,
                    which requires a client certificate
  VC_TLS_DIR        its CA (ca.pem) and a client pair (client.pem/.key)
The filter is loaded the way nova-scheduler loads it (available_filters
names resolved by HostFilterHandler) and driven through
get_filtered_objects with real HostState and RequestSpec objects.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import resource
import socket
import tempfile
import threading
import time
import unittest
import urllib.request

from oslo_config import cfg

from nova import objects
from nova.scheduler import filters
from nova.scheduler import host_manager

import vfio_compat_nova.filter as vcf

URL = os.environ["VC_URL"]
READER_TOKEN = os.environ["VC_READER_TOKEN"]
TLS_URL = os.environ["VC_TLS_URL"]      # same fleet, https, client certs
TLS_DIR = os.environ["VC_TLS_DIR"]      # ca.pem, client.pem, client.key
TLS_CA = os.path.join(TLS_DIR, "ca.pem")
TLS_CERT = os.path.join(TLS_DIR, "client.pem")
TLS_KEY = os.path.join(TLS_DIR, "client.key")

LIVE_VM = "6f3b1c2d-0000-4000-8000-00000000002a"   # runs on gpu-src
NEW_VM = "0b5e7a8c-1111-4222-8333-444455556666"    # in no inventory
CANDIDATES = ["gpu-src", "gpu-ok", "gpu-old", "gpu-new"]
CHECK_ROUTE = "/v1/check"

objects.register_all()
cfg.CONF([], project="nova")


def metric_sum(name: str, **labels: str) -> float:
    """Sum of the samples of a counter whose labels include `labels`."""
    with urllib.request.urlopen(URL + "/metrics", timeout=10) as r:
        text = r.read().decode()
    total = 0.0
    pat = re.compile(r"^vfio_compat_%s\{(.*)\} (\S+)$" % re.escape(name))
    for line in text.splitlines():
        m = pat.match(line)
        if not m:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(m.group(2))
    return total


def check_posts() -> float:
    """How many requests the server has answered on POST /v1/check."""
    return metric_sum("http_requests_total", route=CHECK_ROUTE)


class GarbageServer:
    """A local HTTP server answering every POST with a fixed bad body."""

    def __init__(self, status: int, body: bytes,
                 headers: dict[str, str] | None = None) -> None:
        outer = self
        self.posts = 0
        fields = {"Content-Type": "application/json",
                  "Content-Length": str(len(body))}
        fields.update(headers or {})

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                outer.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(status)
                for k, v in fields.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HostileServer:
    """A raw TCP server that reads a request and then runs `answer`.

    `answer(conn, stop)` writes whatever it likes, slowly or without end;
    it must return once `stop` is set or the client has gone. `sent`
    counts the bytes it got into the socket.
    """

    def __init__(self, answer) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.sent = 0
        self.answer = answer
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                req = b""
                while b"\r\n\r\n" not in req and len(req) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    req += chunk
                try:
                    self.answer(self, conn)
                except OSError:
                    pass    # the client hung up: what the tests want

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)
        self.sock.close()


def all_compatible() -> bytes:
    """A well-formed answer calling every candidate compatible."""
    return json.dumps({
        "source": {"host": "gpu-src.example.org", "vm": LIVE_VM},
        "results": [{"host": h + ".example.org", "verdict": "compatible",
                     "reasons": [], "warnings": []} for h in CANDIDATES]
    }).encode()


class FilterTest(unittest.TestCase):

    def setUp(self) -> None:
        handler = filters.HostFilterHandler()
        classes = handler.get_matching_classes(
            ["nova.scheduler.filters.all_filters",
             "vfio_compat_nova.filter.VfioCompatFilter"])
        by_name = {c.__name__: c for c in classes}
        self.assertIn("VfioCompatFilter", by_name)
        self.assertIn("ComputeFilter", by_name)
        self.assertIs(by_name["VfioCompatFilter"], vcf.VfioCompatFilter)
        self.handler = handler
        self.filter_cls = by_name["VfioCompatFilter"]
        self.hosts = [host_manager.HostState(h, h + "-node", None)
                      for h in CANDIDATES]
        self.set(url=URL, token_file=READER_TOKEN, timeout=5.0,
                 on_error="pass", host_suffix=".example.org")

    def tearDown(self) -> None:
        cfg.CONF.clear_override("url", group="vfio_compat")
        for opt in ("token_file", "timeout", "on_error", "host_suffix",
                    "ca_file", "cert_file", "key_file", "max_answer_bytes"):
            cfg.CONF.clear_override(opt, group="vfio_compat")

    def set(self, **kw: object) -> None:
        """Override options and make a new filter: it reads them once."""
        for k, v in kw.items():
            cfg.CONF.set_override(k, v, group="vfio_compat")
        self.filter = self.filter_cls()

    def run_filter(self, spec: objects.RequestSpec,
                   index: int = 0) -> list[str]:
        got = self.handler.get_filtered_objects(
            [self.filter], self.hosts, spec, index)
        return [h.host for h in got or []]

    @staticmethod
    def spec(uuid: str, hints: dict | None = None) -> objects.RequestSpec:
        return objects.RequestSpec(instance_uuid=uuid,
                                   scheduler_hints=hints or {},
                                   num_instances=1)

    def test_options_registered(self) -> None:
        group = cfg.CONF.vfio_compat
        for opt in ("url", "token_file", "timeout", "ca_file", "on_error"):
            self.assertIn(opt, group)
        with self.assertRaises(ValueError):
            cfg.CONF.set_override("on_error", "maybe", group="vfio_compat")

    def test_bad_values_refused_at_creation(self) -> None:
        """Each bad value: ConfigError, one line naming the option."""
        cases = [
            ({"url": "127.0.0.1:8080"}, "[vfio_compat] url: "),
            ({"url": "http://vc example/"}, "[vfio_compat] url: "),
            ({"url": "http://vc:99999"}, "[vfio_compat] url: "),
            ({"url": "http://vc:8080/?x=1"}, "[vfio_compat] url: "),
            ({"timeout": float("nan")}, "[vfio_compat] timeout: "),
            ({"host_suffix": ".example org"}, "[vfio_compat] host_suffix: "),
            ({"key_file": TLS_KEY}, "[vfio_compat] key_file is set"),
            ({"ca_file": TLS_CA}, "[vfio_compat] ca_file/cert_file need"),
            ({"url": TLS_URL, "ca_file": "/nonexistent.pem"},
             "[vfio_compat] ca_file: cannot read /nonexistent.pem"),
            ({"url": TLS_URL, "ca_file": READER_TOKEN},
             "[vfio_compat] ca_file/cert_file/key_file: "),
        ]
        for opts, start in cases:
            with self.assertRaises(vcf.ConfigError, msg=opts) as e:
                self.set(**opts)
            self.assertTrue(str(e.exception).startswith(start),
                            (opts, str(e.exception)))
            self.assertNotIn("\n", str(e.exception))
            self.tearDown()
            self.setUp()
        # oslo.config's own checks, caught when the option is read. An
        # override on cfg.CONF leaks into other ConfigOpts sharing the
        # Opt objects, so none may be set here.
        self.tearDown()
        for opt, value in (("on_error", "Pass"), ("timeout", "0"),
                           ("timeout", "inf"), ("timeout", "nan"),
                           ("max_answer_bytes", "10")):
            with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
                f.write("[vfio_compat]\n%s = %s\n" % (opt, value))
                f.flush()
                conf = cfg.ConfigOpts()
                conf.register_opts(vcf.OPTS, group=vcf.GROUP)
                conf(["--config-file", f.name])
                with self.assertRaises(vcf.ConfigError, msg=value) as e:
                    vcf.Settings(conf.vfio_compat)
            self.assertTrue(str(e.exception).startswith(
                "[vfio_compat] %s: " % opt), str(e.exception))
            self.assertNotIn("LocationInfo", str(e.exception))

    def test_live_migration_only_compatible(self) -> None:
        before = check_posts()
        compat_before = metric_sum("checks_total", verdict="compatible")
        with self.assertLogs("vfio_compat_nova.filter", "INFO") as logs:
            got = self.run_filter(self.spec(LIVE_VM))
        self.assertEqual(got, ["gpu-ok"])
        self.assertEqual(check_posts() - before, 1)
        line = "\n".join(logs.output)
        for part in ("instance %s (move unknown, mode live): 1 of 4 host(s)"
                     " compatible" % LIVE_VM,
                     "incompatible VERSION_MISMATCH x1",
                     "incompatible SAME_HOST x1", "unknown HOST_UNKNOWN x1"):
            self.assertIn(part, line)
        self.assertGreaterEqual(
            metric_sum("checks_total", verdict="compatible") - compat_before,
            1)

    def test_live_migration_upper_case_uuid(self) -> None:
        got = self.run_filter(self.spec(LIVE_VM.upper()))
        self.assertEqual(got, ["gpu-ok"])

    def test_wrong_suffix_rejects_all(self) -> None:
        """Without the suffix every candidate is an unknown host."""
        self.set(host_suffix="")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [])

    def test_new_boot_passes_all(self) -> None:
        before = check_posts()
        got = self.run_filter(self.spec(NEW_VM))
        self.assertEqual(got, CANDIDATES)
        self.assertEqual(check_posts() - before, 1)

    def test_rebuild_passes_all_without_request(self) -> None:
        before = check_posts()
        checks_before = metric_sum("checks_total")
        spec = self.spec(LIVE_VM, {"_nova_check_type": ["rebuild"]})
        self.assertEqual(self.run_filter(spec), CANDIDATES)
        self.assertEqual(check_posts() - before, 0)
        self.assertEqual(metric_sum("checks_total") - checks_before, 0)

    def test_once_per_request(self) -> None:
        """Later instances of a multi-create reuse the first answer."""
        before = check_posts()
        self.assertEqual(self.run_filter(self.spec(LIVE_VM), index=1),
                         CANDIDATES)
        self.assertEqual(check_posts() - before, 0)

    def test_server_down(self) -> None:
        port = GarbageServer(200, b"")  # reserve a port, then free it
        url = port.url
        port.close()
        self.set(url=url, timeout=2.0)
        self.set(on_error="pass")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES)
        self.set(on_error="fail")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [])
        self.assertEqual(self.run_filter(self.spec(NEW_VM)), [])

    def test_garbage_answers(self) -> None:
        bodies = [(200, b"this is not json"),
                  (200, b'{"results": "nope"}'),
                  (200, b'{"results": [{"host": "gpu-ok.example.org",'
                        b' "verdict": "fine"}]}'),
                  (500, b'{"error": {"code": "INTERNAL", "message": "x"}}')]
        for status, body in bodies:
            srv = GarbageServer(status, body)
            try:
                self.set(url=srv.url)
                self.set(on_error="fail")
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [],
                                 body)
                self.set(on_error="pass")
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)),
                                 CANDIDATES, body)
                self.assertEqual(srv.posts, 2)
            finally:
                srv.close()

    def test_tls_with_client_certificate(self) -> None:
        self.set(url=TLS_URL, token_file=None, ca_file=TLS_CA,
                 cert_file=TLS_CERT, key_file=TLS_KEY, on_error="fail")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), ["gpu-ok"])
        self.assertEqual(self.run_filter(self.spec(NEW_VM)), CANDIDATES)

    def test_tls_without_client_certificate_is_an_error(self) -> None:
        """The server demands a certificate: no answer to use."""
        self.set(url=TLS_URL, token_file=None, ca_file=TLS_CA,
                 on_error="fail")
        self.assertEqual(self.run_filter(self.spec(NEW_VM)), [])
        self.set(on_error="pass")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES)

    def test_tls_unknown_ca_is_an_error(self) -> None:
        """Without ca_file the test CA is not trusted: no answer used."""
        self.set(url=TLS_URL, token_file=None, cert_file=TLS_CERT,
                 key_file=TLS_KEY, on_error="fail")
        self.assertEqual(self.run_filter(self.spec(NEW_VM)), [])
        self.set(on_error="pass")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES)

    def test_bad_token(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".token") as f:
            f.write("not-a-valid-token\n")
            f.flush()
            self.set(token_file=f.name, on_error="fail")
            self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [])
            self.set(on_error="pass")
            self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES)

    def test_missing_token_file(self) -> None:
        """Unreadable at start: the filter is not created at all."""
        with self.assertRaises(vcf.ConfigError) as e:
            self.set(token_file="/nonexistent/vfio-compat.token")
        self.assertEqual(str(e.exception), "[vfio_compat] token_file: "
                         "cannot read /nonexistent/vfio-compat.token")

    def test_token_file_gone_after_start(self) -> None:
        """Read on every request: gone later is an error, no request."""
        before = check_posts()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "token")
            with open(path, "w") as f:
                f.write(open(READER_TOKEN).read())
            self.set(token_file=path, on_error="fail")
            self.assertEqual(self.run_filter(self.spec(LIVE_VM)), ["gpu-ok"])
            os.unlink(path)
            self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [])
        self.assertEqual(check_posts() - before, 1)

    def test_more_candidates_than_one_request_names(self) -> None:
        """Past the service's destination limit: still one request."""
        extra = [host_manager.HostState("filler-%05d" % i, "n", None)
                 for i in range(vcf.MAX_DESTINATIONS)]
        before = check_posts()
        got = self.handler.get_filtered_objects(
            [self.filter], self.hosts + extra, self.spec(LIVE_VM), 0)
        self.assertEqual([h.host for h in got], ["gpu-ok"])
        self.assertEqual(check_posts() - before, 1)

    def test_source_unknown_needs_vm_not_found(self) -> None:
        """SOURCE_UNKNOWN for a VM the service did find is no new boot."""
        for source_host, expected in (("gpu-src.example.org", []),
                                      (None, CANDIDATES)):
            body = {"source": {"host": source_host, "vm": LIVE_VM,
                               "devices": []},
                    "results": [{"host": h + ".example.org",
                                 "verdict": "unknown",
                                 "reasons": [{"code": "SOURCE_UNKNOWN"}]}
                                for h in CANDIDATES]}
            srv = GarbageServer(200, json.dumps(body).encode())
            try:
                self.set(url=srv.url, on_error="pass")
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)),
                                 expected, source_host)
                self.assertEqual(srv.posts, 1)
            finally:
                srv.close()

    # Issue 12: an answer is used only when it is bounded and exact. Each
    # of these passed hosts, hung the scheduler or raised past on_error
    # with the requests-based filter.

    def assert_refused(self, url: str, what: str, **opts: object) -> None:
        """With on_error=fail no host passes; with pass, every host."""
        self.set(url=url, on_error="fail", **opts)
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [], what)
        self.set(on_error="pass")
        self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES,
                         what)

    def test_deep_json_is_an_error(self) -> None:
        """200,000 levels: was a RecursionError raised past on_error."""
        srv = GarbageServer(200, b"[" * 200000 + b"]" * 200000)
        try:
            self.assert_refused(srv.url, "deep")
            self.assertEqual(srv.posts, 2)
        finally:
            srv.close()

    def test_drip_is_bounded_by_the_total_timeout(self) -> None:
        """A byte every 0.5 s never trips a per-read timeout of 2 s.

        Dripped from the status line on (headers included) and after
        complete headers (the body); each must end within timeout.
        """
        def drip_all(srv: HostileServer, conn: socket.socket) -> None:
            data = (b"HTTP/1.0 200 OK\r\nContent-Type: application/json"
                    b"\r\n\r\n" + all_compatible())
            for i in range(len(data)):
                if srv.stop.wait(0.5):
                    return
                srv.send(conn, data[i:i + 1])

        def drip_body(srv: HostileServer, conn: socket.socket) -> None:
            body = all_compatible()
            srv.send(conn, b"HTTP/1.0 200 OK\r\nContent-Type: "
                     b"application/json\r\nContent-Length: %d\r\n\r\n"
                     % len(body))
            for i in range(len(body)):
                if srv.stop.wait(0.5):
                    return
                srv.send(conn, body[i:i + 1])

        for drip in (drip_all, drip_body):
            srv = HostileServer(drip)
            try:
                self.set(url=srv.url, timeout=2.0, on_error="fail")
                start = time.monotonic()
                with self.assertLogs("vfio_compat_nova.filter",
                                     "ERROR") as logs:
                    got = self.run_filter(self.spec(LIVE_VM))
                took = time.monotonic() - start
                self.assertEqual(got, [], drip.__name__)
                self.assertLess(took, 3.0, drip.__name__)
                self.assertGreater(srv.sent, 0, drip.__name__)
                self.assertIn("no complete answer within 2 s",
                              logs.output[0])
                print("%s: gave up after %.2f s, %d byte(s) dripped" %
                      (drip.__name__, took, srv.sent))
            finally:
                srv.close()

    def test_huge_answer_is_capped(self) -> None:
        """An endless answer is read up to max_answer_bytes, no further."""
        chunk = b"[" * 65536

        def endless(srv: HostileServer, conn: socket.socket) -> None:
            srv.send(conn, b"HTTP/1.0 200 OK\r\n"
                     b"Content-Type: application/json\r\n\r\n")
            while not srv.stop.is_set() and srv.sent < (512 << 20):
                srv.send(conn, chunk)

        cap = 1 << 20
        srv = HostileServer(endless)
        try:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.set(url=srv.url, max_answer_bytes=cap, on_error="fail")
            with self.assertLogs("vfio_compat_nova.filter", "ERROR") as logs:
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [])
            grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss -
                     rss) / 1024
            self.assertIn("larger than max_answer_bytes 1048576",
                          logs.output[0])
            # What the kernel's socket buffers took beyond the cap.
            self.assertLess(srv.sent, 32 << 20)
            self.assertLess(grown, 64)
            print("endless answer: %d bytes sent before the filter hung up,"
                  " max RSS grew %.1f MiB" % (srv.sent, grown))
        finally:
            srv.close()
        srv = GarbageServer(200, b"{}", {"Content-Length": str(300 << 20)})
        try:
            self.assert_refused(srv.url, "announced 300 MiB",
                                max_answer_bytes=cap)
        finally:
            srv.close()

    def test_invalid_utf8_is_an_error(self) -> None:
        """Not decoded with replacement characters and used anyway."""
        body = all_compatible().replace(b'"warnings": []',
                                        b'"warnings": [], "note": "\xff"', 1)
        self.assertIn(b"\xff", body)
        srv = GarbageServer(200, body)
        try:
            self.assert_refused(srv.url, "utf-8")
        finally:
            srv.close()

    def test_redirect_not_followed(self) -> None:
        """A 307 to a server that calls everything compatible."""
        target = GarbageServer(200, all_compatible())
        srv = GarbageServer(307, b"", {"Location": target.url + CHECK_ROUTE})
        try:
            self.assert_refused(srv.url, "redirect")
            self.assertEqual(target.posts, 0)
            self.assertEqual(srv.posts, 2)
        finally:
            srv.close()
            target.close()

    def test_answers_validated_strictly(self) -> None:
        """Every field the filter uses has its type, or nothing passes."""
        good = json.loads(all_compatible())
        srv = GarbageServer(200, all_compatible())
        try:
            self.set(url=srv.url, on_error="fail")
            self.assertEqual(self.run_filter(self.spec(LIVE_VM)), CANDIDATES)
        finally:
            srv.close()

        def variant(edit) -> bytes:
            doc = json.loads(json.dumps(good))
            edit(doc)
            return json.dumps(doc).encode()

        r0 = lambda d: d["results"][0]  # noqa: E731
        bodies = {
            "host not a string": variant(lambda d: r0(d).update(host=1)),
            "verdict not a string": variant(
                lambda d: r0(d).update(verdict=["compatible"])),
            "reasons missing": variant(lambda d: r0(d).pop("reasons")),
            "reasons a string": variant(lambda d: r0(d).update(
                reasons="none")),
            "reason without code": variant(lambda d: r0(d).update(
                reasons=[{"message": "x"}])),
            "reason not an object": variant(lambda d: r0(d).update(
                reasons=["VERSION_MISMATCH"])),
            "compatible with a reason": variant(lambda d: r0(d).update(
                reasons=[{"code": "VERSION_MISMATCH"}])),
            "host answered twice": variant(
                lambda d: d["results"].append(dict(r0(d), verdict="unknown",
                                                   reasons=[]))),
            "source a string": variant(lambda d: d.update(source="x")),
            "source.host a number": variant(
                lambda d: d["source"].update(host=7)),
            "NaN": all_compatible().replace(b'"warnings": []',
                                            b'"warnings": [], "n": NaN', 1),
            "duplicate key": all_compatible().replace(
                b'"verdict": "compatible"',
                b'"verdict": "unknown", "verdict": "compatible"', 1),
        }
        for what, body in bodies.items():
            srv = GarbageServer(200, body)
            try:
                self.set(url=srv.url, on_error="fail")
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [],
                                 what)
            finally:
                srv.close()
        for what, headers in (("text/html", {"Content-Type": "text/html"}),
                              ("chunked", {"Transfer-Encoding": "chunked"})):
            srv = GarbageServer(200, all_compatible(), headers)
            try:
                self.set(url=srv.url, on_error="fail")
                self.assertEqual(self.run_filter(self.spec(LIVE_VM)), [],
                                 what)
            finally:
                srv.close()

    def test_error_lines_say_the_cause_once(self) -> None:
        """One cause per line, not requests' nested repr of it."""
        port = GarbageServer(200, b"")
        url = port.url
        port.close()
        self.set(url=url, on_error="pass")
        with self.assertLogs("vfio_compat_nova.filter", "WARNING") as logs:
            self.run_filter(self.spec(LIVE_VM))
        line = [x for x in logs.output if "on_error=pass" in x][0]
        self.assertIn("%s/v1/check: Connection refused; on_error=pass" % url,
                      line)
        self.assertEqual(line.count("127.0.0.1"), 1, line)

    def test_no_candidates_no_request(self) -> None:
        before = check_posts()
        self.assertEqual(list(self.filter.filter_all([], self.spec(LIVE_VM))),
                         [])
        self.assertEqual(check_posts() - before, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
