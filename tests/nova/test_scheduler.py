# SPDX-License-Identifier: Apache-2.0
"""VfioCompatFilter inside nova's own HostManager, driven by real instances.

Run by tests/nova/test_scheduler.sh and test_scheduler_v11.sh (see
scheduler-lib.sh), which export:
  VC_NOVA_CONF    a nova.conf enabling the filter (on_error = fail, so a
                  refused request shows as no host rather than all)
  VC_URL          vfio-compatd with tests/nova/data/ loaded
  VC_EVAC_URL     vfio-compatd (--stale-after 3) whose gpu-dead is stale
  VC_ADMIN_TOKEN  file with an admin token of both servers
  VC_DATA         tests/nova (fixtures)
The filter is created by HostManager from [filter_scheduler] of that
nova.conf; the instances are Instance records in the cell database
nova-manage made, found through their InstanceMapping as nova finds
them, and their task_state is set the way nova's compute API sets it
before it asks the scheduler.

SchedulerTest needs only the v1 server. ServerV11Test needs the SPEC
v1.1 server (mode "cold", host names folded, "_" allowed).
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from nova import config
from nova import context
from nova import objects
from nova.compute import task_states
from nova.scheduler import host_manager
from oslo_config import cfg

NOVA_CONF = os.environ["VC_NOVA_CONF"]
URL = os.environ["VC_URL"]
EVAC_URL = os.environ["VC_EVAC_URL"]
ADMIN_TOKEN = open(os.environ["VC_ADMIN_TOKEN"]).read().strip()
DATA = os.environ["VC_DATA"]

LIVE_VM = "6f3b1c2d-0000-4000-8000-00000000002a"   # runs on gpu-src
EVAC_VM = "6f3b1c2d-0000-4000-8000-00000000003e"   # ran on gpu-dead
PROJECT = "6d1e0c1f6a2f4a9b8c7d6e5f4a3b2c1d"
USER = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"

objects.register_all()
config.parse_args([sys.argv[0], "--config-file", NOVA_CONF])


def put_fixture(url: str, path: str) -> None:
    """Store a fixture stamped now (an admin PUT, as a collector does)."""
    with open(path) as f:
        doc = json.load(f)
    doc["collected_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    req = urllib.request.Request(
        "%s/v1/hosts/%s/inventory" % (url, doc["host"]),
        data=json.dumps(doc).encode(), method="PUT",
        headers={"Authorization": "Bearer " + ADMIN_TOKEN,
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200, r.status


class V1Proxy:
    """Forwards to the real server, refusing mode cold as a v1 server does.

    The 400 is the v1 server's own answer to {"mode": "cold"}; the rest
    goes to vfio-compatd unchanged. `modes` lists the modes asked for.
    """

    REFUSAL = json.dumps({"error": {"code": "VALIDATION_FAILED",
                                    "message": "must be live or cpr",
                                    "field": "mode"}}).encode()

    def __init__(self, upstream: str) -> None:
        outer = self
        self.modes: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                mode = json.loads(body).get("mode")
                outer.modes.append(mode)
                if mode == "cold":
                    status, answer = 400, outer.REFUSAL
                else:
                    req = urllib.request.Request(
                        upstream + self.path, data=body, method="POST",
                        headers={k: v for k, v in self.headers.items()
                                 if k.lower() in ("authorization",
                                                  "content-type")})
                    with urllib.request.urlopen(req, timeout=10) as r:
                        status, answer = r.status, r.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Cloud:
    """The cell, instances and mappings every test shares."""

    admin = None
    cell = None
    instances: dict[str, objects.Instance] = {}

    @classmethod
    def setup(cls) -> None:
        if cls.cell is not None:
            return
        cls.admin = context.get_admin_context()
        cls.cell = [c for c in objects.CellMappingList.get_all(cls.admin)
                    if c.name == "cell1"][0]
        for uuid, host in ((LIVE_VM, "gpu-src"), (EVAC_VM, "gpu-dead")):
            with context.target_cell(cls.admin, cls.cell) as cctxt:
                inst = objects.Instance(
                    context=cctxt, uuid=uuid, project_id=PROJECT,
                    user_id=USER, host=host, node=host,
                    vm_state="active", task_state=None,
                    display_name="vgpu-" + uuid[-4:])
                inst.create()
            objects.InstanceMapping(
                cls.admin, instance_uuid=uuid, cell_mapping=cls.cell,
                project_id=PROJECT, user_id=USER).create()
            cls.instances[uuid] = inst

    @classmethod
    def task_state(cls, uuid: str, state: str | None) -> None:
        """Set it as nova's compute API does before calling the scheduler."""
        inst = cls.instances[uuid]
        inst.task_state = state
        inst.save()


class Base(unittest.TestCase):

    def setUp(self) -> None:
        Cloud.setup()
        self.overrides: list[str] = []

    def tearDown(self) -> None:
        for opt in self.overrides:
            cfg.CONF.clear_override(opt, group="vfio_compat")
        Cloud.task_state(LIVE_VM, None)
        Cloud.task_state(EVAC_VM, None)

    def manager(self, **overrides: object) -> host_manager.HostManager:
        """A HostManager as nova-scheduler creates it at start."""
        for k, v in overrides.items():
            cfg.CONF.set_override(k, v, group="vfio_compat")
            self.overrides.append(k)
        return host_manager.HostManager()

    @staticmethod
    def hosts(*names: str) -> list[host_manager.HostState]:
        return [host_manager.HostState(n, n, Cloud.cell.uuid) for n in names]

    @staticmethod
    def spec(uuid: str, ignore: list[str] | None = None
             ) -> objects.RequestSpec:
        """The request spec of a move, in the requesting user's context."""
        ctx = context.RequestContext(USER, PROJECT)
        return objects.RequestSpec(
            ctx, instance_uuid=uuid, project_id=PROJECT, user_id=USER,
            num_instances=1, scheduler_hints={}, ignore_hosts=ignore or [],
            force_hosts=[], force_nodes=[], requested_destination=None)

    def schedule(self, hm: host_manager.HostManager, uuid: str,
                 candidates: list[str], ignore: list[str] | None = None,
                 ) -> tuple[list[str], str]:
        """Hosts passed by get_filtered_hosts, and the filter's log."""
        with self.assertLogs("vfio_compat_nova.filter", "DEBUG") as logs:
            got = hm.get_filtered_hosts(self.hosts(*candidates),
                                        self.spec(uuid, ignore), 0)
        return [h.host for h in got], "\n".join(logs.output)


class SchedulerTest(Base):
    """What the v1 server already answers."""

    def test_loaded_from_nova_conf(self) -> None:
        hm = self.manager()
        self.assertEqual([type(f).__name__ for f in hm.enabled_filters],
                         ["VfioCompatFilter"])

    def test_live_migration(self) -> None:
        """migrating: live mode, only the exactly compatible host."""
        Cloud.task_state(LIVE_VM, task_states.MIGRATING)
        got, log = self.schedule(self.manager(), LIVE_VM,
                                 ["gpu-src", "gpu-ok", "gpu-old", "gpu-new"],
                                 ignore=["gpu-src"])
        self.assertEqual(got, ["gpu-ok"])
        self.assertIn("(live migration, mode live): 1 of 3 host(s)", log)
        self.assertIn("incompatible VERSION_MISMATCH x1", log)

    def test_move_it_cannot_tell_is_live(self) -> None:
        """A task_state no move sets (here: none) gets the live answer."""
        got, log = self.schedule(self.manager(), LIVE_VM,
                                 ["gpu-ok", "gpu-old"])
        self.assertEqual(got, ["gpu-ok"])
        self.assertIn("mode live", log)

    def test_instance_it_cannot_read_is_live(self) -> None:
        """No InstanceMapping: the filter cannot see the move: live."""
        Cloud.task_state(LIVE_VM, task_states.RESIZE_PREP)
        im = objects.InstanceMapping.get_by_instance_uuid(Cloud.admin,
                                                          LIVE_VM)
        im.destroy()
        try:
            got, log = self.schedule(self.manager(), LIVE_VM,
                                     ["gpu-ok", "gpu-old"])
        finally:
            objects.InstanceMapping(
                Cloud.admin, instance_uuid=LIVE_VM, cell_mapping=Cloud.cell,
                project_id=PROJECT, user_id=USER).create()
        self.assertEqual(got, ["gpu-ok"])
        self.assertIn("(instance not found, mode live)", log)

    def test_v1_server_refusing_cold_gets_live(self) -> None:
        """A server without mode cold: asked again live, not on_error.

        on_error = pass would otherwise pass every host for every
        resize; the live answer is stricter and still exact.
        """
        proxy = V1Proxy(URL)
        try:
            Cloud.task_state(LIVE_VM, task_states.RESIZE_PREP)
            got, log = self.schedule(
                self.manager(url=proxy.url, on_error="pass"), LIVE_VM,
                ["gpu-ok", "gpu-old", "gpu-new"])
        finally:
            proxy.close()
        self.assertEqual(proxy.modes, ["cold", "live"])
        self.assertEqual(got, ["gpu-ok"])
        self.assertIn("HTTP 400 VALIDATION_FAILED for mode cold; asking "
                      "for instance %s in mode live instead" % LIVE_VM, log)
        self.assertIn("(resize or cold migration, mode live)", log)

    def test_upper_case_candidate(self) -> None:
        """[DEFAULT] host = GPU-OK: sent as gpu-ok.example.org."""
        Cloud.task_state(LIVE_VM, task_states.MIGRATING)
        got, _ = self.schedule(self.manager(), LIVE_VM, ["GPU-OK", "gpu-old"])
        self.assertEqual(got, ["GPU-OK"])

    def test_underscore_candidate_never_passes_all(self) -> None:
        """Compute_01 is legal in nova; a v1 server refuses the name.

        It answered 400 for the whole list and on_error = pass then
        passed every host, gpu-old (VERSION_MISMATCH) included. Now the
        name is left out by a v1 server's rule and the rest answered;
        the SPEC v1.1 server answers it unknown (not in this fleet).
        """
        Cloud.task_state(LIVE_VM, task_states.MIGRATING)
        got, log = self.schedule(self.manager(on_error="pass"), LIVE_VM,
                                 ["Compute_01", "gpu-ok", "gpu-old"])
        self.assertEqual(got, ["gpu-ok"])
        self.assertIn("unknown HOST_UNKNOWN x1", log)
        self.assertIn("incompatible VERSION_MISMATCH x1", log)

    def test_invalid_candidate_name(self) -> None:
        """A name no inventory can have is not sent and never passes."""
        Cloud.task_state(LIVE_VM, task_states.MIGRATING)
        for on_error in ("fail", "pass"):
            got, log = self.schedule(self.manager(on_error=on_error),
                                     LIVE_VM,
                                     ["gpu-ok", "gpu ok", "gpu-\u00f6k"])
            self.assertEqual(got, ["gpu-ok"], on_error)
            self.assertIn("unknown HOST_UNKNOWN x2", log)

    def test_bad_option_stops_nova_scheduler(self) -> None:
        """nova-scheduler itself, started on a bad value, exits at once.

        The one CRITICAL line names the option; the value is not looked
        at for the first time while a VM is being scheduled.
        """
        with open(NOVA_CONF) as f:
            good = f.read()
        cases = [("on_error = fail", "on_error = Pass",
                  "[vfio_compat] on_error: Valid values are [pass, fail], "
                  "but found 'Pass'"),
                 ("url = " + URL, "url = 127.0.0.1:8080",
                  "[vfio_compat] url: '127.0.0.1:8080' must start with "
                  "http:// or https://"),
                 ("timeout = 5", "timeout = nan",
                  "[vfio_compat] timeout: must be a finite number of "
                  "seconds, not nan")]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        for old, new, line in cases:
            self.assertIn(old, good)
            with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
                conf.write(good.replace(old, new))
                conf.flush()
                start = time.monotonic()
                p = subprocess.run(
                    [sys.executable, "-c",
                     "import sys; sys.argv[0] = 'nova-scheduler'\n"
                     "from nova.cmd import scheduler\n"
                     "sys.exit(scheduler.main())",
                     "--config-file", conf.name],
                    env=env, capture_output=True, text=True, timeout=120)
                took = time.monotonic() - start
            self.assertNotEqual(p.returncode, 0, new)
            critical = [x for x in p.stderr.splitlines() if " CRITICAL " in x]
            self.assertEqual(len(critical), 1, p.stderr[-3000:])
            self.assertTrue(critical[0].endswith(
                "Unhandled error: vfio_compat_nova.filter.ConfigError: " +
                line), critical[0])
            self.assertLess(took, 60, new)


class ServerV11Test(Base):
    """Moves whose answer needs the SPEC v1.1 server (cold mode, names)."""

    def test_resize_to_same_host(self) -> None:
        """resize_prep: cold mode; the source host is a destination."""
        Cloud.task_state(LIVE_VM, task_states.RESIZE_PREP)
        got, log = self.schedule(self.manager(), LIVE_VM,
                                 ["gpu-src", "gpu-ok"])
        self.assertEqual(got, ["gpu-src", "gpu-ok"])
        self.assertIn("(resize or cold migration, mode cold)", log)
        self.assertNotIn("SAME_HOST", log)

    def test_cold_migration(self) -> None:
        """No device state moves: another driver version is fine."""
        Cloud.task_state(LIVE_VM, task_states.RESIZE_PREP)
        got, _ = self.schedule(self.manager(), LIVE_VM,
                               ["gpu-src", "gpu-ok", "gpu-old", "gpu-new"],
                               ignore=["gpu-src"])
        self.assertEqual(got, ["gpu-ok", "gpu-old"])

    def test_evacuation_off_stale_host(self) -> None:
        """rebuilding without the rebuild hint: an evacuation, cold.

        gpu-dead stopped reporting (stale); judged live, its VM could go
        nowhere (SOURCE_STALE); an evacuation is exactly that case.
        """
        hm = self.manager(url=EVAC_URL)
        for name in ("gpu-ok", "gpu-old"):
            put_fixture(EVAC_URL, os.path.join(DATA, "data", name + ".json"))
        Cloud.task_state(EVAC_VM, task_states.REBUILDING)
        got, log = self.schedule(hm, EVAC_VM, ["gpu-ok", "gpu-old"],
                                 ignore=["gpu-dead"])
        self.assertEqual(got, ["gpu-ok", "gpu-old"])
        self.assertIn("(evacuation, mode cold)", log)
        Cloud.task_state(EVAC_VM, task_states.MIGRATING)
        got, log = self.schedule(hm, EVAC_VM, ["gpu-ok", "gpu-old"],
                                 ignore=["gpu-dead"])
        self.assertEqual(got, [])
        self.assertIn("SOURCE_STALE", log)

    def test_candidate_compute_01(self) -> None:
        """[DEFAULT] host = Compute_01: upper case and '_' are legal."""
        Cloud.task_state(LIVE_VM, task_states.MIGRATING)
        got, _ = self.schedule(self.manager(), LIVE_VM,
                               ["Compute_01", "gpu-ok", "gpu-old"])
        self.assertEqual(got, ["Compute_01", "gpu-ok"])


if __name__ == "__main__":
    unittest.main()
