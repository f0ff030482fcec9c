/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h -- diagnostics on stderr in the OpenBSD daemon style.
 *
 * log_warnx("%s: ...", __func__) for problems that are handled, log_warn
 * to add strerror(errno), log_debug only when verbose. log_errorx is the
 * one "error:" line of a failure that ends the program (the caller then
 * exits non-zero). Daemons and tools prefix lines with their program
 * name via log_init.
 */
#ifndef VC_LOG_H
#define VC_LOG_H

void	log_init(const char *progname, int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
