# SPDX-License-Identifier: Apache-2.0
# treegen.py -- helpers that write device descriptions in umockdev-record's
# text format (P:/E:/A:/H:/L: blocks), so the synthetic trees under
# tests/data/ and the bench's generated host stay consistent: the PCI config
# space blob always agrees with the vendor/device/class/revision attributes,
# and links are made relative to each device's depth, as the kernel does.
#
# Used by tests/data/make-trees and tests/bench/gen-host-tree.

import re


def esc(text):
    """Escape an A: value the way umockdev-record does (g_strescape-ish):
    umockdev runs g_strcompress() over A: values when loading."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == '"':
            out.append('\\"')
        else:
            out.append(ch)
    return "".join(out)


def hexblob(data):
    return data.hex().upper()


def dotdots(devpath):
    """'../' repeated to climb from /sys<devpath> to /sys."""
    depth = len([p for p in devpath.split("/") if p])
    return "../" * depth


def pci_config(vendor, device, cls, rev, svendor, sdevice, header_type=0,
               size=256):
    """Type 0/1 config header; cls is 'CCSSPP' (class, subclass, prog-if).
    The status register has no capability list, so lspci walks nothing."""
    c = bytearray(size)
    c[0:2] = vendor.to_bytes(2, "little")
    c[2:4] = device.to_bytes(2, "little")
    c[4:6] = (0x0406).to_bytes(2, "little")      # mem space, bus master
    c[8] = rev
    c[9] = int(cls[4:6], 16)
    c[10] = int(cls[2:4], 16)
    c[11] = int(cls[0:2], 16)
    c[14] = header_type
    if header_type == 0:
        c[44:46] = svendor.to_bytes(2, "little")
        c[46:48] = sdevice.to_bytes(2, "little")
    c[61] = 1                                       # INTA
    return bytes(c)


class Tree:
    def __init__(self):
        self.blocks = []

    def device(self, path, props, attrs=(), links=(), binattrs=()):
        """Add a raw device block.  props: list of (key, value); attrs:
        list of (name, value-with-newline); links: (name, target);
        binattrs: (name, bytes)."""
        lines = ["P: " + path]
        for k, v in props:
            lines.append("E: %s=%s" % (k, v))
        items = [("A", n, esc(v)) for n, v in attrs]
        items += [("H", n, hexblob(v)) for n, v in binattrs]
        items += [("L", n, t) for n, t in links]
        items.sort(key=lambda i: i[1])
        for kind, n, v in items:
            lines.append("%s: %s=%s" % (kind, n, v))
        self.blocks.append("\n".join(lines) + "\n")

    def pci(self, path, vendor, device, cls, rev=0, svendor=0, sdevice=0,
            driver=None, iommu_group=None, numa_node=-1,
            vendor_name=None, model_name=None, attrs=(), links=(),
            props=(), header_type=0, config=None, skip_attrs=()):
        """A PCI function at sysfs path /sys<path> (path starts with
        /devices/); ids are ints, cls a 6-digit hex string."""
        slot = path.rsplit("/", 1)[1]
        up = dotdots(path)
        modalias = "pci:v%08Xd%08Xsv%08Xsd%08Xbc%ssc%si%s" % (
            vendor, device, svendor, sdevice,
            cls[0:2].upper(), cls[2:4].upper(), cls[4:6].upper())
        p = []
        if driver:
            p.append(("DRIVER", driver))
        if model_name:
            p.append(("ID_MODEL_FROM_DATABASE", model_name))
        if vendor_name:
            p.append(("ID_VENDOR_FROM_DATABASE", vendor_name))
        p += [("MODALIAS", modalias),
              ("PCI_CLASS", "%X" % int(cls, 16)),
              ("PCI_ID", "%04X:%04X" % (vendor, device)),
              ("PCI_SLOT_NAME", slot),
              ("PCI_SUBSYS_ID", "%04X:%04X" % (svendor, sdevice)),
              ("SUBSYSTEM", "pci")]
        p += list(props)
        p.sort()
        a = [("class", "0x%s\n" % cls.lower()),
             ("device", "0x%04x\n" % device),
             ("vendor", "0x%04x\n" % vendor),
             ("subsystem_vendor", "0x%04x\n" % svendor),
             ("subsystem_device", "0x%04x\n" % sdevice),
             ("revision", "0x%02x\n" % rev),
             ("numa_node", "%d\n" % numa_node),
             ("modalias", modalias + "\n"),
             ("enable", "1\n"),
             ("irq", "0\n"),
             ("local_cpulist", "0-1\n"),
             ("driver_override", "(null)\n"),
             ("power_state", "D0\n")]
        override = dict(attrs)
        a = [(n, override.pop(n, v)) for n, v in a if n not in skip_attrs]
        a += [(n, v) for n, v in attrs if n in override]
        l = []
        if driver:
            l.append(("driver", up + "bus/pci/drivers/" + driver))
        if iommu_group is not None:
            l.append(("iommu_group", up + "kernel/iommu_groups/%s" % iommu_group))
        l += list(links)
        if config is None:
            config = pci_config(vendor, device, cls, rev, svendor, sdevice,
                                header_type)
        self.device(path, p, a, l, [("config", config)])

    def mdev_types(self, types):
        """Attributes for mdev_supported_types/<id>/...: types is a list of
        dicts with id, name, device_api, description, available_instances
        (any may be None = file absent)."""
        a = []
        for t in types:
            for key in ("name", "device_api", "description",
                        "available_instances", "migration_version"):
                v = t.get(key)
                if v is None:
                    continue
                if not isinstance(v, str):
                    v = str(v)
                a.append(("mdev_supported_types/%s/%s" % (t["id"], key),
                          v + "\n"))
        return a

    def mdev_instance(self, parent_path, uuid, type_id, iommu_group=None,
                      driver="vfio_mdev"):
        """A live mdev: child of its parent device, on the mdev bus, with
        its mdev_type link (kernel layout since 3.x).  The parent's
        mdev_supported_types/<type>/devices/<uuid> back-link comes from
        instance_links()."""
        path = parent_path + "/" + uuid
        up = dotdots(path)
        links = [("mdev_type", "../mdev_supported_types/" + type_id)]
        if iommu_group is not None:
            links.append(("iommu_group", up + "kernel/iommu_groups/%s" % iommu_group))
        if driver:
            links.append(("driver", up + "bus/mdev/drivers/" + driver))
        props = [("MDEV_TYPE", type_id), ("SUBSYSTEM", "mdev")]
        if driver:
            props.insert(0, ("DRIVER", driver))
        self.device(path, props, [], links)

    @staticmethod
    def instance_links(instances):
        """Links for the parent: mdev_supported_types/<type>/devices/<uuid>.
        instances: list of (uuid, type_id)."""
        return [("mdev_supported_types/%s/devices/%s" % (t, u), "../../../" + u)
                for u, t in instances]

    def text(self):
        return "\n".join(self.blocks)

    def write(self, filename):
        with open(filename, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(self.text())


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
