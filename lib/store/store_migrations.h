/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_migrations.h -- the numbered schema migrations, embedded at build
 * time from schema/sqlite/NNN_*.sql and schema/postgresql/NNN_*.sql by
 * build-aux/embed-sql, one array per engine.
 */
#ifndef VC_STORE_MIGRATIONS_H
#define VC_STORE_MIGRATIONS_H

struct store_migration {
	int		 version;	/* the schema version after it */
	const char	*name;
	const char	*sql;
};

/* Ascending by version, terminated by a NULL name. */
extern const struct store_migration store_migrations[];	/* SQLite */
extern const struct store_migration store_pg_migrations[];

#endif
