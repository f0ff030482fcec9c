# lib/ engine part: fleet, policy, version comparison, compatibility.
lib_libvfiocompat_a_SOURCES += lib/fleet.h lib/policy.h lib/compat.h
