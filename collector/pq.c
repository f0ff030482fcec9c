/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pq.c -- libpq for the collector, loaded only when --db names a
 * PostgreSQL database (dl.c says why: libpq brings Kerberos, LDAP,
 * GnuTLS and OpenSSL, a third of a plain run's CPU on the bench host).
 *
 * The store's PostgreSQL engine (lib/store/store_pg.c) calls libpq by
 * name, as in every other binary. The collector is linked without
 * -lpq, so those names resolve to the functions below, each with
 * libpq's own prototype (libpq-fe.h declares them, so the compiler
 * checks each one), calling the real function loaded on first use.
 * A libpq call the engine adds and this file lacks fails the link,
 * never a run.
 *
 * The engine's first call is PQconnectdbParams; when libpq cannot be
 * loaded it returns NULL, the engine's "cannot connect", and
 * pq_load_error() says why (emit.c puts that in the one-line reason).
 * Every other call takes a connection or result that only a loaded
 * libpq makes, so it never runs unloaded; if one did, it answers as
 * libpq does for a NULL one.
 */
#include <stddef.h>

#include <libpq-fe.h>

#include "collector.h"

#define LIBPQ_SONAME	"libpq.so.5"

struct pq_api {
	void		 (*clear)(PGresult *);
	char		*(*cmd_tuples)(PGresult *);
	PGconn		*(*connectdb_params)(const char *const *,
			    const char *const *, int);
	int		 (*consume_input)(PGconn *);
	int		 (*enter_pipeline_mode)(PGconn *);
	char		*(*error_message)(const PGconn *);
	PGresult	*(*exec)(PGconn *, const char *);
	PGresult	*(*exec_params)(PGconn *, const char *, int,
			    const Oid *, const char *const *, const int *,
			    const int *, int);
	PGresult	*(*exec_prepared)(PGconn *, const char *, int,
			    const char *const *, const int *, const int *,
			    int);
	int		 (*exit_pipeline_mode)(PGconn *);
	void		 (*finish)(PGconn *);
	void		 (*freemem)(void *);
	PGresult	*(*get_result)(PGconn *);
	int		 (*get_is_null)(const PGresult *, int, int);
	char		*(*get_value)(const PGresult *, int, int);
	PGnotify	*(*notifies)(PGconn *);
	int		 (*ntuples)(const PGresult *);
	PGpipelineStatus (*pipeline_status)(const PGconn *);
	int		 (*pipeline_sync)(PGconn *);
	PGresult	*(*prepare)(PGconn *, const char *, const char *, int,
			    const Oid *);
	char		*(*result_error_field)(const PGresult *, int);
	char		*(*result_error_message)(const PGresult *);
	ExecStatusType	 (*result_status)(const PGresult *);
	int		 (*send_query_prepared)(PGconn *, const char *, int,
			    const char *const *, const int *, const int *,
			    int);
	PQnoticeProcessor (*set_notice_processor)(PGconn *,
			    PQnoticeProcessor, void *);
	int		 (*set_single_row_mode)(PGconn *);
	int		 (*socket)(const PGconn *);
	ConnStatusType	 (*status)(const PGconn *);
	PGTransactionStatusType (*transaction_status)(const PGconn *);
};

#define PQ_SYM(name, field)	{ name, offsetof(struct pq_api, field) }
static const struct dl_sym pq_syms[] = {
	PQ_SYM("PQclear", clear),
	PQ_SYM("PQcmdTuples", cmd_tuples),
	PQ_SYM("PQconnectdbParams", connectdb_params),
	PQ_SYM("PQconsumeInput", consume_input),
	PQ_SYM("PQenterPipelineMode", enter_pipeline_mode),
	PQ_SYM("PQerrorMessage", error_message),
	PQ_SYM("PQexec", exec),
	PQ_SYM("PQexecParams", exec_params),
	PQ_SYM("PQexecPrepared", exec_prepared),
	PQ_SYM("PQexitPipelineMode", exit_pipeline_mode),
	PQ_SYM("PQfinish", finish),
	PQ_SYM("PQfreemem", freemem),
	PQ_SYM("PQgetResult", get_result),
	PQ_SYM("PQgetisnull", get_is_null),
	PQ_SYM("PQgetvalue", get_value),
	PQ_SYM("PQnotifies", notifies),
	PQ_SYM("PQntuples", ntuples),
	PQ_SYM("PQpipelineStatus", pipeline_status),
	PQ_SYM("PQpipelineSync", pipeline_sync),
	PQ_SYM("PQprepare", prepare),
	PQ_SYM("PQresultErrorField", result_error_field),
	PQ_SYM("PQresultErrorMessage", result_error_message),
	PQ_SYM("PQresultStatus", result_status),
	PQ_SYM("PQsendQueryPrepared", send_query_prepared),
	PQ_SYM("PQsetNoticeProcessor", set_notice_processor),
	PQ_SYM("PQsetSingleRowMode", set_single_row_mode),
	PQ_SYM("PQsocket", socket),
	PQ_SYM("PQstatus", status),
	PQ_SYM("PQtransactionStatus", transaction_status),
};

static struct pq_api	 pq;
static int		 pq_state;	/* 0 untried, 1 loaded, -1 failed */
static char		 pq_err[512];
static char		 pq_unloaded[] = "libpq not loaded";
static char		 pq_empty[] = "";

static int	 pq_loaded(void);

/* Loaded once per process; a failure stays, with its reason. */
static int
pq_loaded(void)
{
	if (pq_state == 0)
		pq_state = dl_load(LIBPQ_SONAME, pq_syms, sizeof(pq_syms) /
		    sizeof(pq_syms[0]), &pq, pq_err, sizeof(pq_err)) == 0 ?
		    1 : -1;
	return (pq_state == 1);
}

const char *
pq_load_error(void)
{
	return (pq_state == -1 ? pq_err : NULL);
}

PGconn *
PQconnectdbParams(const char *const *keywords, const char *const *values,
    int expand_dbname)
{
	if (!pq_loaded())
		return (NULL);
	return (pq.connectdb_params(keywords, values, expand_dbname));
}

void
PQclear(PGresult *res)
{
	if (pq_loaded())
		pq.clear(res);
}

char *
PQcmdTuples(PGresult *res)
{
	return (pq_loaded() ? pq.cmd_tuples(res) : pq_empty);
}

int
PQconsumeInput(PGconn *conn)
{
	return (pq_loaded() ? pq.consume_input(conn) : 0);
}

int
PQenterPipelineMode(PGconn *conn)
{
	return (pq_loaded() ? pq.enter_pipeline_mode(conn) : 0);
}

char *
PQerrorMessage(const PGconn *conn)
{
	return (pq_loaded() ? pq.error_message(conn) : pq_unloaded);
}

PGresult *
PQexec(PGconn *conn, const char *query)
{
	return (pq_loaded() ? pq.exec(conn, query) : NULL);
}

PGresult *
PQexecParams(PGconn *conn, const char *command, int nParams,
    const Oid *paramTypes, const char *const *paramValues,
    const int *paramLengths, const int *paramFormats, int resultFormat)
{
	if (!pq_loaded())
		return (NULL);
	return (pq.exec_params(conn, command, nParams, paramTypes,
	    paramValues, paramLengths, paramFormats, resultFormat));
}

PGresult *
PQexecPrepared(PGconn *conn, const char *stmtName, int nParams,
    const char *const *paramValues, const int *paramLengths,
    const int *paramFormats, int resultFormat)
{
	if (!pq_loaded())
		return (NULL);
	return (pq.exec_prepared(conn, stmtName, nParams, paramValues,
	    paramLengths, paramFormats, resultFormat));
}

int
PQexitPipelineMode(PGconn *conn)
{
	return (pq_loaded() ? pq.exit_pipeline_mode(conn) : 0);
}

void
PQfinish(PGconn *conn)
{
	if (pq_loaded())
		pq.finish(conn);
}

void
PQfreemem(void *ptr)
{
	if (pq_loaded())
		pq.freemem(ptr);
}

PGresult *
PQgetResult(PGconn *conn)
{
	return (pq_loaded() ? pq.get_result(conn) : NULL);
}

int
PQgetisnull(const PGresult *res, int tup_num, int field_num)
{
	return (pq_loaded() ? pq.get_is_null(res, tup_num, field_num) : 1);
}

char *
PQgetvalue(const PGresult *res, int tup_num, int field_num)
{
	return (pq_loaded() ? pq.get_value(res, tup_num, field_num) : NULL);
}

PGnotify *
PQnotifies(PGconn *conn)
{
	return (pq_loaded() ? pq.notifies(conn) : NULL);
}

int
PQntuples(const PGresult *res)
{
	return (pq_loaded() ? pq.ntuples(res) : 0);
}

PGpipelineStatus
PQpipelineStatus(const PGconn *conn)
{
	return (pq_loaded() ? pq.pipeline_status(conn) : PQ_PIPELINE_OFF);
}

int
PQpipelineSync(PGconn *conn)
{
	return (pq_loaded() ? pq.pipeline_sync(conn) : 0);
}

PGresult *
PQprepare(PGconn *conn, const char *stmtName, const char *query,
    int nParams, const Oid *paramTypes)
{
	if (!pq_loaded())
		return (NULL);
	return (pq.prepare(conn, stmtName, query, nParams, paramTypes));
}

char *
PQresultErrorField(const PGresult *res, int fieldcode)
{
	return (pq_loaded() ? pq.result_error_field(res, fieldcode) : NULL);
}

char *
PQresultErrorMessage(const PGresult *res)
{
	return (pq_loaded() ? pq.result_error_message(res) : pq_unloaded);
}

ExecStatusType
PQresultStatus(const PGresult *res)
{
	return (pq_loaded() ? pq.result_status(res) : PGRES_FATAL_ERROR);
}

int
PQsendQueryPrepared(PGconn *conn, const char *stmtName, int nParams,
    const char *const *paramValues, const int *paramLengths,
    const int *paramFormats, int resultFormat)
{
	if (!pq_loaded())
		return (0);
	return (pq.send_query_prepared(conn, stmtName, nParams, paramValues,
	    paramLengths, paramFormats, resultFormat));
}

PQnoticeProcessor
PQsetNoticeProcessor(PGconn *conn, PQnoticeProcessor proc, void *arg)
{
	return (pq_loaded() ? pq.set_notice_processor(conn, proc, arg) :
	    NULL);
}

int
PQsetSingleRowMode(PGconn *conn)
{
	return (pq_loaded() ? pq.set_single_row_mode(conn) : 0);
}

int
PQsocket(const PGconn *conn)
{
	return (pq_loaded() ? pq.socket(conn) : -1);
}

ConnStatusType
PQstatus(const PGconn *conn)
{
	return (pq_loaded() ? pq.status(conn) : CONNECTION_BAD);
}

PGTransactionStatusType
PQtransactionStatus(const PGconn *conn)
{
	return (pq_loaded() ? pq.transaction_status(conn) :
	    PQTRANS_UNKNOWN);
}
