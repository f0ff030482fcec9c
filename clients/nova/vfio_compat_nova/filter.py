"""Nova scheduler filter that asks vfio-compat which hosts can take a VM.

Nova only checks mdev types after it has picked a destination, and QEMU
only finds out that a vGPU's state cannot be loaded while the destination
is already resuming. This filter moves the question before the choice:
for every scheduling request it sends ONE ``POST /v1/check`` to the
vfio-compat service, naming the instance (``spec_obj.instance_uuid``) as
the source and the candidate hosts as destinations, and keeps only the
hosts the service calls ``compatible``.

A VM that no collector reports (``SOURCE_UNKNOWN``) is a new boot, or a
VM without VFIO devices: the filter has nothing to say about it and
passes every host. When the service cannot be asked (down, timeout, bad
token, an answer that is not the documented JSON) the ``on_error``
option decides: ``pass`` keeps the cloud scheduling as if the filter
were not enabled, ``fail`` rejects every host.

Host names: a candidate's ``HostState.host`` (the nova-compute service
host, ``[DEFAULT] host`` on the compute node, by default its hostname)
is sent as is, with ``[vfio_compat] host_suffix`` appended. The collector
names its inventory after the hostname too, so the default suffix ""
fits fleets where both sides use the short name; set it to e.g.
``.example.org`` when the collectors report fully qualified names.
"""

from __future__ import annotations

import collections
import json
from typing import Any, Iterable

import requests
from oslo_config import cfg
from oslo_log import log as logging

from nova.scheduler import filters
from nova.scheduler import utils

LOG = logging.getLogger(__name__)

GROUP = cfg.OptGroup(
    name="vfio_compat",
    title="vfio-compat scheduler filter",
    help="Where VfioCompatFilter finds the vfio-compat service and what it "
         "does when the service cannot answer.")

OPTS = [
    cfg.URIOpt(
        "url", default="http://127.0.0.1:8080", schemes=["http", "https"],
        help="Base URL of vfio-compatd; the filter POSTs to URL/v1/check."),
    cfg.StrOpt(
        "token_file",
        help="File holding the bearer token (a reader token is enough). "
             "Read on every request, so a rotated token needs no restart. "
             "Unset: no Authorization header."),
    cfg.FloatOpt(
        "timeout", default=5.0, min=0.1,
        help="Seconds to wait for the service (connect and read each)."),
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
]

# The service accepts at most this many destinations in one request;
# beyond it the filter omits the list, which the service reads as "every
# known host", and still makes a single request.
MAX_DESTINATIONS = 10000

CONF = cfg.CONF
CONF.register_group(GROUP)
CONF.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for oslo-config-generator (entry point oslo.config.opts)."""
    return [(GROUP, OPTS)]


class ServiceError(Exception):
    """The service could not be asked or its answer cannot be used."""


class VfioCompatFilter(filters.BaseHostFilter):
    """Pass only hosts whose VFIO devices can take the VM's device state."""

    # A rebuild stays on its host; device compatibility does not change
    # with a new image, so, like most filters, skip the question.
    RUN_ON_REBUILD = False

    # The answer concerns the instance named in the request spec; the
    # other instances of a multi-create are new boots, which pass anyway.
    run_filter_once_per_request = True

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

        conf = CONF.vfio_compat
        names = {h: h.host + conf.host_suffix for h in hosts}
        try:
            answer = _ask(conf, uuid, sorted(set(names.values())))
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
            verdict, codes = answer.get(names[h], ("missing", []))
            if verdict == "compatible":
                passed.append(h)
                continue
            reason = "%s %s" % (verdict, ",".join(codes) or "-")
            why[reason] += 1
            LOG.debug("VfioCompatFilter: host %s rejected for instance %s: "
                      "%s", h.host, uuid, reason)
        # One line per request at INFO: a fleet has thousands of hosts.
        LOG.info("VfioCompatFilter: instance %s: %d of %d host(s) "
                 "compatible%s", uuid, len(passed), len(hosts),
                 "; rejected: " + "; ".join(
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


def _read_token(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as e:
        raise ServiceError(f"cannot read token_file {path}: "
                           f"{e.strerror}") from e
    if not token:
        raise ServiceError(f"token_file {path} is empty")
    return token


def _ask(conf: Any, uuid: str,
         destinations: list[str]) -> dict[str, tuple[str, list[str]]] | None:
    """POST /v1/check; map of host -> (verdict, reason codes).

    None means the service does not know the VM (SOURCE_UNKNOWN).
    Raises ServiceError for anything that is not a usable answer.
    """
    headers = {"Content-Type": "application/json",
               "Accept": "application/json"}
    if conf.token_file:
        headers["Authorization"] = "Bearer " + _read_token(conf.token_file)
    body: dict[str, Any] = {"mode": "live", "source": {"vm": uuid}}
    if len(destinations) <= MAX_DESTINATIONS:
        body["destinations"] = destinations
    kwargs: dict[str, Any] = {"timeout": conf.timeout}
    if conf.ca_file:
        kwargs["verify"] = conf.ca_file
    if conf.cert_file:
        kwargs["cert"] = ((conf.cert_file, conf.key_file)
                          if conf.key_file else conf.cert_file)
    url = conf.url.rstrip("/") + "/v1/check"
    try:
        resp = requests.post(url, data=json.dumps(body), headers=headers,
                             **kwargs)
    except requests.RequestException as e:
        raise ServiceError(f"{url}: {e}") from e

    try:
        doc = resp.json()
    except ValueError:
        doc = None
    if resp.status_code == 404 and _error_code(doc) == "SOURCE_UNKNOWN":
        return None
    if resp.status_code != 200:
        raise ServiceError(f"{url}: HTTP {resp.status_code} "
                           f"{_error_code(doc) or ''}".rstrip())
    return _parse(url, doc)


def _error_code(doc: Any) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        code = doc["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def _parse(url: str,
           doc: Any) -> dict[str, tuple[str, list[str]]] | None:
    """Check the answer's shape; a garbled answer must not pass hosts.

    The VM counts as unknown (a new boot) only when the service found no
    host running it. A VM that is found but whose devices are missing
    from its host's inventory also yields SOURCE_UNKNOWN; its hosts stay
    "unknown" and are rejected, as data missing must never read as
    compatible.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("results"),
                                                   list):
        raise ServiceError(f"{url}: answer has no results list")
    source = doc.get("source")
    vm_found = isinstance(source, dict) and source.get("host") is not None
    answer: dict[str, tuple[str, list[str]]] = {}
    source_unknown = False
    for r in doc["results"]:
        if not (isinstance(r, dict) and isinstance(r.get("host"), str) and
                r.get("verdict") in ("compatible", "incompatible",
                                     "unknown") and
                isinstance(r.get("reasons", []), list)):
            raise ServiceError(f"{url}: malformed result {r!r:.200}")
        codes = [x.get("code") for x in r.get("reasons", [])
                 if isinstance(x, dict) and isinstance(x.get("code"), str)]
        if "SOURCE_UNKNOWN" in codes:
            source_unknown = True
        answer[r["host"]] = (r["verdict"], codes)
    return None if source_unknown and not vm_found else answer
