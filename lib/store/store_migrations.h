/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_migrations.h -- the numbered schema migrations, embedded at build
 * time from schema/sqlite/NNN_*.sql by build-aux/embed-sql.
 */
#ifndef VC_STORE_MIGRATIONS_H
#define VC_STORE_MIGRATIONS_H

struct store_migration {
	int		 version;	/* PRAGMA user_version after it */
	const char	*name;
	const char	*sql;
};

/* Ascending by version, terminated by a NULL name. */
extern const struct store_migration store_migrations[];

#endif
