# SPDX-License-Identifier: Apache-2.0
"""Nova scheduler filter that asks vfio-compat which hosts can take a VM.

Nova only checks mdev types after it has picked a destination, and QEMU
only finds out that a vGPU's state cannot be loaded while the destination
is already resuming. This filter moves the question before the choice:
for every scheduling request it sends ONE ``POST /v1/check`` to the
vfio-compat service, naming the instance (``spec_obj.instance_uuid``) as
the source and the candidate hosts as destinations, and keeps only the
hosts the service calls ``compatible``.

The kind of move comes from the instance itself: its ``task_state``
(read from its cell database) is ``migrating`` for a live migration,
``resize_prep`` for a resize or cold migration, ``rebuilding`` for an
evacuation (a rebuild in place carries ``_nova_check_type = rebuild``
and is skipped) and ``unshelving`` for an unshelve. A live migration is
checked in ``live`` mode, every other move in ``cold`` mode (no device
state moves, SPEC 6); a move the filter cannot tell, or an instance it
cannot read, gets ``live``, the stricter answer.

A VM that no collector reports (``SOURCE_UNKNOWN``) is a new boot, or a
VM without VFIO devices: the filter has nothing to say about it and
passes every host. When the service cannot be asked (down, timeout, bad
token, an answer that is not the documented JSON) the ``on_error``
option decides: ``pass`` keeps the cloud scheduling as if the filter
were not enabled, ``fail`` rejects every host.

Host names: a candidate's ``HostState.host`` (the nova-compute service
host, ``[DEFAULT] host`` on the compute node, by default its hostname)
plus ``[vfio_compat] host_suffix``, folded to lower case as the service
folds inventory names (SPEC 5). A name that cannot be a host name is
never sent: it is treated like a host the service does not know.

The HTTP exchange is done here on a plain socket rather than with
``requests``, because the answer feeds a scheduling decision and has to
be bounded: one deadline for the whole exchange (connect, TLS, request,
answer), a byte cap on the answer, no redirects, strict UTF-8 and JSON.
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
import socket
import ssl
import time
import urllib.parse
from typing import Any, Iterable

from oslo_config import cfg
from oslo_log import log as logging

from nova.compute import task_states
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects
from nova.scheduler import filters
from nova.scheduler import utils

LOG = logging.getLogger(__name__)

GROUP = cfg.OptGroup(
    name="vfio_compat",
    title="vfio-compat scheduler filter",
    help="Where VfioCompatFilter finds the vfio-compat service and what it "
         "does when the service cannot answer. Read and checked once, when "
         "nova-scheduler starts: a bad value stops it with one line naming "
         "the option.")

OPTS = [
    cfg.StrOpt(
        "url", default="http://127.0.0.1:8080",
        help="Base URL of vfio-compatd (http:// or https://, a host, an "
             "optional port and path); the filter POSTs to URL/v1/check. "
             "Redirects are not followed and no proxy is used."),
    cfg.StrOpt(
        "token_file",
        help="File holding the bearer token (a reader token is enough). "
             "Read on every request, so a rotated token needs no restart. "
             "Unset: no Authorization header."),
    cfg.FloatOpt(
        "timeout", default=5.0, min=0.1, max=300.0,
        help="Seconds for the whole exchange with the service: connect, "
             "TLS handshake, request and the complete answer together."),
    cfg.StrOpt(
        "ca_file",
        help="CA bundle that signed the service's certificate (https). "
             "Unset: the system trust store."),
    cfg.StrOpt(
        "cert_file",
        help="Client certificate (PEM) for servers that require one."),
    cfg.StrOpt(
        "key_file",
        help="Private key (PEM) of cert_file."),
    cfg.StrOpt(
        "on_error", default="pass", choices=[
            ("pass", "pass every host, as if the filter were not enabled"),
            ("fail", "reject every host"),
        ],
        help="What to do when the service is down, refuses the request or "
             "answers something that is not the documented JSON."),
    cfg.StrOpt(
        "host_suffix", default="",
        help="Appended to each nova host name to form the inventory host "
             "name, e.g. '.example.org' when collectors report FQDNs."),
    cfg.IntOpt(
        "max_answer_bytes", default=16 * 1024 * 1024, min=65536,
        max=1024 * 1024 * 1024,
        help="Largest answer body accepted from the service; a longer one "
             "is not read further and counts as a service error."),
]

# The service accepts at most this many destinations in one request;
# beyond it the filter omits the list, which the service reads as "every
# known host", and still makes a single request.
MAX_DESTINATIONS = 10000

# Status line and headers of an answer; the body has its own cap.
MAX_HEADER_BYTES = 65536

# SPEC 5 (v1.1): letters, digits, '-', '_' and '.', 1 to 253 characters,
# after folding to lower case.
HOST_RE = re.compile(r"[a-z0-9._-]{1,253}\Z", re.ASCII)

# What a v1 server accepts (RFC 1123, lower case): it answers 400 for
# the whole request when one destination is anything else.
V1_HOST_RE = re.compile(r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                        r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\Z",
                        re.ASCII)

VERDICTS = ("compatible", "incompatible", "unknown")

# task_state -> (mode, what the move is). Found in nova/compute/api.py:
# live_migrate() sets MIGRATING, resize() (also cold migrate) RESIZE_PREP,
# evacuate() REBUILDING, unshelve() UNSHELVING before asking the
# scheduler. Anything else is a move the filter cannot tell.
MOVES = {
    task_states.MIGRATING: ("live", "live migration"),
    task_states.RESIZE_PREP: ("cold", "resize or cold migration"),
    task_states.REBUILDING: ("cold", "evacuation"),
    task_states.UNSHELVING: ("cold", "unshelve"),
}

CONF = cfg.CONF
CONF.register_group(GROUP)
CONF.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for oslo-config-generator (entry point oslo.config.opts)."""
    return [(GROUP, OPTS)]


class ServiceError(Exception):
    """The service could not be asked or its answer cannot be used."""


class ModeRefused(ServiceError):
    """A v1 server does not know mode "cold" (SPEC v1.1)."""


class NameRefused(ServiceError):
    """A v1 server refuses a destination name (upper case, '_')."""


class ConfigError(ValueError):
    """A [vfio_compat] value nova-scheduler must not start with."""


class Settings:
    """The [vfio_compat] options, read and checked once."""

    def __init__(self, group: Any) -> None:
        self.url = _opt(group, "url")
        self.token_file = _opt(group, "token_file")
        self.timeout = _opt(group, "timeout")
        self.ca_file = _opt(group, "ca_file")
        self.cert_file = _opt(group, "cert_file")
        self.key_file = _opt(group, "key_file")
        self.on_error = _opt(group, "on_error")
        self.host_suffix = _opt(group, "host_suffix") or ""
        self.max_answer_bytes = _opt(group, "max_answer_bytes")

        u = _parse_url(self.url)
        self.https = u.scheme == "https"
        self.host = u.hostname or ""
        self.port = u.port or (443 if self.https else 80)
        self.check_path = u.path.rstrip("/") + "/v1/check"
        self.check_url = "%s://%s%s" % (u.scheme, u.netloc, self.check_path)
        self.host_header = u.netloc
        if not math.isfinite(self.timeout):
            raise ConfigError("[vfio_compat] timeout: must be a finite "
                              "number of seconds, not %r" % self.timeout)
        if self.host_suffix and not HOST_RE.match(self.host_suffix.lower()):
            raise ConfigError("[vfio_compat] host_suffix: %r has characters "
                              "a host name cannot have" % self.host_suffix)
        if self.key_file and not self.cert_file:
            raise ConfigError("[vfio_compat] key_file is set without "
                              "cert_file")
        if not self.https and (self.ca_file or self.cert_file):
            raise ConfigError("[vfio_compat] ca_file/cert_file need an "
                              "https url, not %s" % self.url)
        for name in ("token_file", "ca_file", "cert_file", "key_file"):
            path = getattr(self, name)
            if path and not os.access(path, os.R_OK):
                raise ConfigError("[vfio_compat] %s: cannot read %s" %
                                  (name, path))
        if self.token_file:
            try:
                _read_token(self.token_file)
            except ServiceError as e:
                raise ConfigError("[vfio_compat] %s" % e) from None
        if self.https:
            try:
                self.tls_context()
            except (OSError, ssl.SSLError) as e:
                raise ConfigError("[vfio_compat] ca_file/cert_file/key_file:"
                                  " %s" % _oserror(e)) from None

    def tls_context(self) -> ssl.SSLContext:
        """A fresh context, so rotated certificates need no restart."""
        ctx = ssl.create_default_context(cafile=self.ca_file or None)
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file or None)
        return ctx


def _opt(group: Any, name: str) -> Any:
    """One option's value; oslo.config checks types and choices lazily."""
    try:
        return getattr(group, name)
    except (cfg.Error, ValueError) as e:
        why = str(e)
        cut = why.find(" is not valid: ")
        if cut >= 0:
            why = why[cut + len(" is not valid: "):]
        raise ConfigError("[vfio_compat] %s: %s" % (name, why)) from None


def _parse_url(url: str) -> urllib.parse.SplitResult:
    # It goes into the request line and Host header as it is.
    if not isinstance(url, str) or not re.fullmatch(r"[\x21-\x7e]+", url):
        raise ConfigError("[vfio_compat] url: %r must be printable ASCII "
                          "without spaces" % (url,))
    try:
        u = urllib.parse.urlsplit(url)
        port_ok = u.port is None or 0 < u.port < 65536
    except ValueError:
        port_ok = False
        u = None
    if u is None or not port_ok:
        raise ConfigError("[vfio_compat] url: %r has an invalid port" % url)
    if u.scheme not in ("http", "https"):
        raise ConfigError("[vfio_compat] url: %r must start with http:// or "
                          "https://" % url)
    if not u.hostname:
        raise ConfigError("[vfio_compat] url: %r names no host" % url)
    if u.username is not None or u.query or u.fragment:
        raise ConfigError("[vfio_compat] url: %r must not carry user, query "
                          "or fragment" % url)
    return u


class VfioCompatFilter(filters.BaseHostFilter):
    """Pass only hosts whose VFIO devices can take the VM's device state."""

    # A rebuild stays on its host; device compatibility does not change
    # with a new image, so, like most filters, skip the question.
    RUN_ON_REBUILD = False

    # The answer concerns the instance named in the request spec; the
    # other instances of a multi-create are new boots, which pass anyway.
    run_filter_once_per_request = True

    def __init__(self) -> None:
        """Read [vfio_compat] now: a bad value stops nova-scheduler."""
        super().__init__()
        self.settings = Settings(CONF.vfio_compat)

    def filter_all(self, filter_obj_list: Iterable[Any],
                   spec_obj: Any) -> list[Any]:
        """Decide for all candidates with one request to the service.

        Overrides BaseFilter.filter_all, which would call host_passes once
        per host; the service answers for many hosts at once, and one
        round-trip per scheduling request keeps the scheduler fast.
        """
        hosts = list(filter_obj_list)
        if not self.RUN_ON_REBUILD and utils.request_is_rebuild(spec_obj):
            LOG.debug("VfioCompatFilter: rebuild, passing all %d host(s)",
                      len(hosts))
            return hosts
        uuid = _instance_uuid(spec_obj)
        if not hosts or uuid is None:
            return hosts

        conf = self.settings
        mode, move = _move_mode(spec_obj)
        names = {h: (h.host + conf.host_suffix).lower() for h in hosts}
        valid = sorted({n for n in names.values() if HOST_RE.match(n)})
        deadline = time.monotonic() + conf.timeout
        try:
            answer, mode, sent = _ask_any_server(conf, uuid, mode, valid,
                                                 deadline)
        except ServiceError as e:
            if conf.on_error == "fail":
                LOG.error("VfioCompatFilter: %s; on_error=fail, rejecting "
                          "all %d host(s) for instance %s", e, len(hosts),
                          uuid)
                return []
            LOG.warning("VfioCompatFilter: %s; on_error=pass, passing all "
                        "%d host(s) for instance %s", e, len(hosts), uuid)
            return hosts

        if answer is None:
            LOG.debug("VfioCompatFilter: instance %s is not in any "
                      "inventory (new boot or no VFIO device), passing all "
                      "%d host(s)", uuid, len(hosts))
            return hosts

        passed = []
        why: collections.Counter[str] = collections.Counter()
        for h in hosts:
            if names[h] not in sent:
                # Not a name any inventory can have: what the service
                # says of a host it does not know (SPEC 5).
                verdict, codes = "unknown", ["HOST_UNKNOWN"]
            else:
                verdict, codes = answer.get(names[h], ("missing", []))
            if verdict == "compatible":
                passed.append(h)
                continue
            reason = "%s %s" % (verdict, ",".join(codes) or "-")
            why[reason] += 1
            LOG.debug("VfioCompatFilter: host %r rejected for instance %s: "
                      "%s", h.host, uuid, reason)
        # One line per request at INFO: a fleet has thousands of hosts.
        LOG.info("VfioCompatFilter: instance %s (%s, mode %s): %d of %d "
                 "host(s) compatible%s", uuid, move, mode, len(passed),
                 len(hosts), "; rejected: " + "; ".join(
                     "%s x%d" % kv for kv in why.most_common())
                 if why else "")
        return passed

    def host_passes(self, host_state: Any, spec_obj: Any) -> bool:
        """Per-host form, for callers that bypass filter_all."""
        return bool(self.filter_all([host_state], spec_obj))


def _instance_uuid(spec_obj: Any) -> str | None:
    """The instance UUID, lower case as QEMU's -uuid and the API want it."""
    if spec_obj is None or "instance_uuid" not in spec_obj:
        return None
    uuid = spec_obj.instance_uuid
    return str(uuid).lower() if uuid else None


def _move_mode(spec_obj: Any) -> tuple[str, str]:
    """(mode, kind of move) from the instance's task_state.

    The instance lives in its cell's database: the API database's
    InstanceMapping names the cell, as everywhere in nova. Whatever
    cannot be read gives "live", the stricter question.
    """
    uuid = spec_obj.instance_uuid
    ctx = getattr(spec_obj, "_context", None)
    if ctx is None:
        LOG.warning("VfioCompatFilter: instance %s: request spec without a "
                    "context, checking as a live migration", uuid)
        return "live", "move unknown"
    try:
        ctx = ctx.elevated()
        im = objects.InstanceMapping.get_by_instance_uuid(ctx, uuid)
        if im.cell_mapping is None:
            # Not yet in a cell: a new boot, never running anywhere.
            return "live", "not yet in a cell"
        with nova_context.target_cell(ctx, im.cell_mapping) as cctxt:
            inst = objects.Instance.get_by_uuid(cctxt, uuid,
                                                expected_attrs=[])
        state = inst.task_state
    except (nova_exception.InstanceMappingNotFound,
            nova_exception.InstanceNotFound):
        LOG.debug("VfioCompatFilter: instance %s not found in nova's "
                  "databases, checking as a live migration", uuid)
        return "live", "instance not found"
    except Exception as e:  # noqa: BLE001 - any DB failure: stricter mode
        LOG.warning("VfioCompatFilter: instance %s: cannot read its "
                    "task_state (%s: %s), checking as a live migration",
                    uuid, type(e).__name__, e)
        return "live", "instance unreadable"
    if state in MOVES:
        return MOVES[state]
    LOG.debug("VfioCompatFilter: instance %s: task_state %r is no move the "
              "filter knows, checking as a live migration", uuid, state)
    return "live", "task_state %s" % state


def _read_token(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ServiceError("cannot read token_file %s: %s" %
                           (path, _oserror(e))) from None
    if not token:
        raise ServiceError("token_file %s is empty" % path)
    if any(c.isspace() or not c.isprintable() for c in token):
        raise ServiceError("token_file %s holds more than one token" % path)
    return token


def _oserror(e: BaseException) -> str:
    """An error's own text once, without Python's doubled wrappers."""
    if isinstance(e, ssl.SSLError) and e.reason:
        return str(e.reason).replace("_", " ").lower()
    if isinstance(e, socket.timeout):
        return "timed out"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def _ask_any_server(conf: Settings, uuid: str, mode: str,
                    names: list[str], deadline: float
                    ) -> tuple[dict[str, tuple[str, list[str]]] | None,
                               str, set[str]]:
    """_ask, and what a server older than SPEC v1.1 needs; one deadline.

    Returns the answer, the mode it is for and the names it covers. A v1
    server refuses mode cold: the live answer is the stricter one (a
    same-host resize is then refused) and far better than on_error for
    every cold move. It refuses the whole list for one name with '_':
    those hosts are then left out, i.e. unknown, not all passed.
    """
    sent = names
    for _ in range(3):
        try:
            return _ask(conf, uuid, mode, sent, deadline), mode, set(sent)
        except ModeRefused as e:
            LOG.warning("VfioCompatFilter: %s; asking for instance %s in "
                        "mode live instead", e, uuid)
            mode = "live"
        except NameRefused as e:
            v1 = [n for n in sent if V1_HOST_RE.match(n)]
            if len(v1) == len(sent):
                raise ServiceError(str(e)) from None
            LOG.warning("VfioCompatFilter: %s; asking for instance %s "
                        "without the %d name(s) a v1 server refuses", e,
                        uuid, len(sent) - len(v1))
            sent = v1
    raise ServiceError("%s: refused mode and names" % conf.check_url)


def _ask(conf: Settings, uuid: str, mode: str, destinations: list[str],
         deadline: float) -> dict[str, tuple[str, list[str]]] | None:
    """POST /v1/check; map of host -> (verdict, reason codes).

    None means the service does not know the VM (SOURCE_UNKNOWN).
    Raises ServiceError for anything that is not a usable answer,
    ModeRefused when the server refuses the mode "cold", NameRefused
    when it refuses a destination's name.
    """
    headers = {"Content-Type": "application/json",
               "Accept": "application/json"}
    if conf.token_file:
        headers["Authorization"] = "Bearer " + _read_token(conf.token_file)
    body: dict[str, Any] = {"mode": mode, "source": {"vm": uuid}}
    # No valid name left, or more than one request may name: ask about
    # every known host; the candidates absent from the answer are
    # rejected like unknown hosts.
    if destinations and len(destinations) <= MAX_DESTINATIONS:
        body["destinations"] = destinations
    url = conf.check_url
    status, ctype, raw = _post(conf, json.dumps(body).encode(), headers,
                               deadline)
    if 300 <= status < 400:
        raise ServiceError("%s: HTTP %d, redirects are not followed" %
                           (url, status))
    if status not in (200, 404):
        doc = _decode_quietly(raw, ctype)
        field = _error_field(doc) if status == 400 else None
        if field == "mode" and mode == "cold":
            raise ModeRefused("%s: HTTP 400 %s for mode cold" %
                              (url, _error_code(doc) or ""))
        if field is not None and field.startswith("destinations["):
            raise NameRefused("%s: HTTP 400 %s for %s" %
                              (url, _error_code(doc) or "", field[:40]))
        raise ServiceError(("%s: HTTP %d %s" % (url, status,
                                                _error_code(doc) or ""))
                           .rstrip())
    if ctype != "application/json":
        raise ServiceError("%s: HTTP %d answer of type %r, not "
                           "application/json" % (url, status, ctype))
    doc = _decode(url, raw)
    if status == 404:
        if _error_code(doc) == "SOURCE_UNKNOWN":
            return None
        raise ServiceError(("%s: HTTP 404 %s" % (url, _error_code(doc) or
                                                 "")).rstrip())
    return _parse(url, doc)


def _post(conf: Settings, body: bytes, headers: dict[str, str],
          deadline: float) -> tuple[int, str, bytes]:
    """One HTTP/1.0 POST before `deadline`; (status, media type, body).

    HTTP/1.0 so that the answer has no chunked coding: it ends at its
    Content-Length or when the server closes. Every socket operation
    waits at most for what is left of the deadline, so a server that
    drips bytes cannot hold the scheduler beyond `timeout`.
    """
    url = conf.check_url

    def left() -> float:
        t = deadline - time.monotonic()
        if t <= 0:
            raise ServiceError("%s: no complete answer within %g s" %
                               (url, conf.timeout))
        return t

    head = ["POST %s HTTP/1.0" % conf.check_path,
            "Host: %s" % conf.host_header,
            "User-Agent: vfio-compat-nova",
            "Content-Length: %d" % len(body),
            "Connection: close"]
    head += ["%s: %s" % kv for kv in headers.items()]
    request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body

    sock = None
    try:
        try:
            sock = socket.create_connection((conf.host, conf.port),
                                            timeout=left())
            if conf.https:
                sock.settimeout(left())
                sock = conf.tls_context().wrap_socket(
                    sock, server_hostname=conf.host)
            sock.settimeout(left())
            sock.sendall(request)
            return _read_answer(conf, sock, left)
        except ssl.SSLError as e:
            raise ServiceError("%s: TLS: %s" % (url, _oserror(e))) from None
        except socket.timeout:
            raise ServiceError("%s: no complete answer within %g s" %
                               (url, conf.timeout)) from None
        except OSError as e:
            raise ServiceError("%s: %s" % (url, _oserror(e))) from None
    finally:
        if sock is not None:
            sock.close()


def _read_answer(conf: Settings, sock: socket.socket,
                 left: Any) -> tuple[int, str, bytes]:
    url = conf.check_url
    cap = conf.max_answer_bytes
    buf = bytearray()
    status = -1
    ctype = ""
    length = None
    start = -1          # offset of the body in buf, once headers are in
    while True:
        sock.settimeout(left())
        chunk = sock.recv(65536)
        if chunk:
            buf += chunk
        if start < 0:
            end = buf.find(b"\r\n\r\n")
            if end < 0 and len(buf) > MAX_HEADER_BYTES:
                raise ServiceError("%s: answer headers longer than %d bytes"
                                   % (url, MAX_HEADER_BYTES))
            if end >= 0:
                if end > MAX_HEADER_BYTES:
                    raise ServiceError("%s: answer headers longer than %d "
                                       "bytes" % (url, MAX_HEADER_BYTES))
                status, ctype, length = _parse_head(url, bytes(buf[:end]))
                if length is not None and length > cap:
                    raise ServiceError("%s: answer of %d bytes is larger "
                                       "than max_answer_bytes %d" %
                                       (url, length, cap))
                start = end + 4
        if start >= 0:
            got = len(buf) - start
            if got > cap:
                raise ServiceError("%s: answer larger than max_answer_bytes "
                                   "%d, not read further" % (url, cap))
            if length is not None and got > length:
                raise ServiceError("%s: answer longer than its "
                                   "Content-Length %d" % (url, length))
            if length is not None and got == length:
                return status, ctype, bytes(buf[start:])
        if not chunk:
            break
    if start < 0:
        raise ServiceError("%s: connection closed before a complete answer"
                           % url)
    if length is not None:
        raise ServiceError("%s: answer cut short: %d of %d bytes" %
                           (url, len(buf) - start, length))
    return status, ctype, bytes(buf[start:])


def _parse_head(url: str, head: bytes) -> tuple[int, str, int | None]:
    """Status, media type and Content-Length from the answer's headers."""
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] ([1-5][0-9][0-9])(?: |\Z)", lines[0])
    if m is None:
        raise ServiceError("%s: not an HTTP answer: %r" %
                           (url, lines[0][:80]))
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if not sep or not name:
            raise ServiceError("%s: malformed answer header %r" %
                               (url, line[:80]))
        value = value.strip()
        if name in fields and fields[name] != value and name in (
                "content-length", "content-type", "transfer-encoding"):
            raise ServiceError("%s: conflicting %s headers" % (url, name))
        fields[name] = value
    if "transfer-encoding" in fields:
        raise ServiceError("%s: answer with Transfer-Encoding %r to an "
                           "HTTP/1.0 request" %
                           (url, fields["transfer-encoding"][:40]))
    length = None
    if "content-length" in fields:
        if not re.fullmatch(r"[0-9]{1,15}", fields["content-length"]):
            raise ServiceError("%s: invalid Content-Length %r" %
                               (url, fields["content-length"][:40]))
        length = int(fields["content-length"])
    ctype = fields.get("content-type", "").split(";")[0].strip().lower()
    return int(m.group(1)), ctype, length


def _decode(url: str, raw: bytes) -> Any:
    """Strict UTF-8 and JSON: no NaN, no duplicate keys, bounded depth."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ServiceError("%s: answer is not valid UTF-8 (byte %d)" %
                           (url, e.start)) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=_no_constant)
    except RecursionError:
        raise ServiceError("%s: answer nested too deeply" % url) from None
    except ValueError as e:
        raise ServiceError("%s: answer is not JSON: %s" %
                           (url, getattr(e, "msg", e))) from None


def _decode_quietly(raw: bytes, ctype: str) -> Any:
    """An error answer's document, if it is one, else None."""
    if ctype != "application/json" or len(raw) > MAX_HEADER_BYTES:
        return None
    try:
        return _decode("", raw)
    except ServiceError:
        return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("duplicate key in an object")
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError("%s is not JSON" % name)


def _error_code(doc: Any) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        code = doc["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def _error_field(doc: Any) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        field = doc["error"].get("field")
        return field if isinstance(field, str) else None
    return None


def _parse(url: str,
           doc: Any) -> dict[str, tuple[str, list[str]]] | None:
    """Check the answer's shape; a garbled answer must not pass hosts.

    Every field used is type-checked, and a host answered twice is an
    error rather than a choice between two verdicts. The VM counts as
    unknown (a new boot) only when the service found no host running
    it. A VM that is found but whose devices are missing from its host's
    inventory also yields SOURCE_UNKNOWN; its hosts stay "unknown" and
    are rejected, as data missing must never read as compatible.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("results"),
                                                   list):
        raise ServiceError("%s: answer has no results list" % url)
    source = doc.get("source")
    if source is not None and not isinstance(source, dict):
        raise ServiceError("%s: answer's source is not an object" % url)
    src_host = source.get("host") if source is not None else None
    if src_host is not None and not isinstance(src_host, str):
        raise ServiceError("%s: answer's source.host is not a string" % url)
    answer: dict[str, tuple[str, list[str]]] = {}
    source_unknown = False
    for i, r in enumerate(doc["results"]):
        if not (isinstance(r, dict) and isinstance(r.get("host"), str) and
                isinstance(r.get("verdict"), str) and
                r["verdict"] in VERDICTS and
                isinstance(r.get("reasons"), list) and
                all(isinstance(x, dict) and isinstance(x.get("code"), str)
                    for x in r["reasons"])):
            raise ServiceError("%s: malformed results[%d]" % (url, i))
        if r["host"] in answer:
            raise ServiceError("%s: host %r answered twice" %
                               (url, r["host"][:80]))
        codes = [x["code"] for x in r["reasons"]]
        if r["verdict"] == "compatible" and codes:
            raise ServiceError("%s: results[%d] compatible with reasons" %
                               (url, i))
        if "SOURCE_UNKNOWN" in codes:
            source_unknown = True
        answer[r["host"]] = (r["verdict"], codes)
    return None if source_unknown and src_host is None else answer
