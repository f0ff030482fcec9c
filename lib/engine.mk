# lib/ engine part: fleet, policy, version comparison, compatibility.
lib_libvfiocompat_a_SOURCES += lib/fleet.h lib/policy.h lib/compat.h \
	lib/fleet.c lib/policy.c lib/version.c \
	lib/compat.c lib/compat_int.h lib/compat_error.c lib/requirement.c \
	lib/evaluate.c \
	lib/match.c lib/answer.c \
	lib/jsonw.c
