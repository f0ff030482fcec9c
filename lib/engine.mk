# lib/ engine part: fleet, policy, version comparison, compatibility.
lib_libvfiocompat_a_SOURCES += lib/fleet.h lib/policy.h lib/compat.h \
	lib/fleet.c lib/policy.c lib/version.c \
	lib/compat.c lib/compat_int.h lib/requirement.c lib/match.c \
	lib/jsonw.c
