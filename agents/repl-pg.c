/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-pg.c - the inventory stream: PMM's PostgreSQL databases (pmm-managed,
 * grafana) copied from the source to the standby, whole, at every cycle.
 *
 * Each source database is read in one REPEATABLE READ READ ONLY
 * transaction (a consistent snapshot); its tables, columns, foreign keys
 * and sequences come from the catalogue. Before anything is written, both
 * sides must agree: the migrations (schema_migrations, Grafana's
 * migration_log), the tables, their columns (name, type, order), the
 * sequences, and the privileges of the role. Then each database is
 * replaced on the standby in ONE transaction: TRUNCATE every table, COPY
 * each (parents first) streamed row by row from the source's COPY TO
 * STDOUT, every sequence set to the source's value, COMMIT. A cycle cut at
 * any instant leaves the standby's previous copy as it was.
 *
 * libpq is used non-blocking: every wait is a poll() bounded by the
 * cycle's deadline, --io-timeout and repl_stopping().
 *
 * What the role (the same on both nodes, from --pg-auth-file) needs:
 *   source   CONNECT on the databases, a pg_hba.conf line for the peer, and
 *            SELECT on every table and sequence of schema public (GRANT
 *            pg_read_all_data, PostgreSQL 14+)
 *   standby  INSERT and TRUNCATE on the tables and UPDATE on the sequences
 *            (the tables' owner, or a member of the owner role); only when
 *            tables reference each other in a cycle: superuser (for
 *            session_replication_role), GRANT SET ON PARAMETER
 *            session_replication_role (PostgreSQL 15+), or DEFERRABLE keys.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "repl-pg.h"
#include "repl.h"

#define FLUSH_EVERY                                                            \
    (UINT64_C(64) * 1024) /* bytes queued for the standby at most */
#define WAIT_SLICE_MS 200 /* a signal is noticed this soon */
#define MAX_DBS (sizeof((struct repl_conf *) 0)->pg_dbs / sizeof(char *))

/* The tables of schema public: relname, qualified and quoted name, the
 * quoted columns COPY moves (generated ones are left out), the columns'
 * description compared between the sides, and the privileges each side
 * needs. Sorted by name, as FK_SQL numbers them. */
static const char TABLES_SQL[]
    = "SELECT c.relname,"
      " quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
      " coalesce(string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)"
      "  FILTER (WHERE a.attgenerated = ''), ''),"
      " coalesce(string_agg(a.attname || ' '"
      "  || format_type(a.atttypid, a.atttypmod)"
      "  || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END,"
      "  E'\\n' ORDER BY a.attnum), ''),"
      " has_table_privilege(c.oid, 'SELECT'),"
      " has_table_privilege(c.oid, 'INSERT')"
      "  AND has_table_privilege(c.oid, 'TRUNCATE')"
      " FROM pg_catalog.pg_class c"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
      "  AND a.attnum > 0 AND NOT a.attisdropped"
      " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
      "  AND NOT c.relispartition"
      " GROUP BY c.oid, n.nspname, c.relname ORDER BY c.relname";
enum { T_NAME, T_QNAME, T_COLS, T_DESC, T_CAN_READ, T_CAN_LOAD };

/* Foreign keys between those tables, as their row numbers in TABLES_SQL */
static const char FK_SQL[]
    = "WITH t AS (SELECT c.oid,"
      "  row_number() OVER (ORDER BY c.relname) - 1 AS i"
      "  FROM pg_catalog.pg_class c"
      "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      "  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
      "  AND NOT c.relispartition)"
      " SELECT ct.i, pt.i FROM pg_catalog.pg_constraint k"
      " JOIN t ct ON ct.oid = k.conrelid JOIN t pt ON pt.oid = k.confrelid"
      " WHERE k.contype = 'f'";

/* The sequences: name, its quoted name as a literal, the value (NULL
 * before its first nextval), privileges, and where it starts */
static const char SEQS_SQL[]
    = "SELECT c.relname,"
      " quote_literal(quote_ident(n.nspname) || '.' || quote_ident(c.relname)),"
      " CASE WHEN has_sequence_privilege(c.oid, 'SELECT')"
      "  THEN pg_catalog.pg_sequence_last_value(c.oid) END,"
      " has_sequence_privilege(c.oid, 'SELECT'),"
      " has_sequence_privilege(c.oid, 'UPDATE'), s.seqstart"
      " FROM pg_catalog.pg_class c"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
      " WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY c.relname";
enum { S_NAME, S_LITERAL, S_VALUE, S_CAN_READ, S_CAN_SET, S_START };

/* The snapshot's time (the position) and the source's clock */
static const char SNAP_SQL[]
    = "SELECT (extract(epoch FROM now()) * 1000)::int8,"
      " (extract(epoch FROM clock_timestamp()) * 1000)::int8";

/* The migrations each side has been through: pmm-managed's and Grafana's */
static const struct migrations {
    const char *table;
    const char *sql;
} migrations[] = {
    { "schema_migrations",
      "SELECT coalesce(max(id)::text, 'none'), count(*),"
      " md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
      " FROM public.schema_migrations t" },
    { "migration_log",
      "SELECT coalesce(max(id)::text, 'none'), count(*),"
      " md5(coalesce(string_agg(migration_id, E'\\n'"
      " ORDER BY migration_id), '')) FROM public.migration_log" },
};

/* The cycle: its bounds, and where its (first) error goes */
struct cyc {
    struct repl *r;
    struct repl_stream *st;
    ra_deadline_t d;
    int64_t io_ms;
    bool failed;
};

/* One connection, to one side's database */
struct pgc {
    PGconn *conn;
    const char *side; /* "source" or "standby" */
    const char *db;
    char step[160]; /* what it was doing, for the error */
    bool quiet;     /* copying: the server's message may quote a row */
    bool fk_cycle;  /* a foreign-key violation means the cycle */
    bool source;
};

/* One database in the cycle; [0] is the source, [1] the standby */
struct invdb {
    struct pgc src, dst;
    PGresult *tabs[2], *seqs[2];
    size_t *order;
    bool fk_cycle;
    int64_t snap_ms;
    uint64_t rows, bytes;
};

/* Records the cycle's first error, with where it happened */
static int __attribute__((format(printf, 5, 6)))
fail(struct cyc *c, const struct pgc *p, int err, bool refused, const char *fmt,
     ...)
{
    char why[REPL_ERR_LEN];
    va_list ap;

    if (c->failed)
        return err;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    c->failed = true;
    c->st->refused = refused;
    if (!p)
        return repl_fail(c->st, err, "%s", why);
    return repl_fail(c->st, err, "%s (database %s on the %s, %s)", why, p->db,
                     p->side, p->step);
}

/* The first line of a libpq message, after its "connection to server at
 * ... failed: " (the error already says where) */
static void
first_line(const char *msg, char *buf, size_t len)
{
    const char *at = strstr(msg, " failed: ");
    size_t n;

    if (at && at < msg + strcspn(msg, "\n"))
        msg = at + strlen(" failed: ");
    n = strcspn(msg, "\n");
    snprintf(buf, len, "%.*s", (int) n, msg);
}

static int
lost(struct cyc *c, struct pgc *p)
{
    char line[160];

    first_line(PQerrorMessage(p->conn), line, sizeof line);
    return fail(c, p, -ECONNRESET, false, "lost the connection to the %s: %s",
                p->side, line);
}

/* The cycle may go on: not stopped, not past its deadline */
static int
still_on(struct cyc *c, struct pgc *p)
{
    if (repl_stopping())
        return fail(c, p, -ECANCELED, false, "stopped by a signal");
    if (ra_deadline_passed(c->d))
        return fail(c, p, -ETIMEDOUT, false, "the cycle's time ran out");
    return 0;
}

/* Waits until @p's socket is ready for @events: bounded by the deadline,
 * --io-timeout and signals */
static int
pg_wait(struct cyc *c, struct pgc *p, short events)
{
    struct pollfd pfd = { PQsocket(p->conn), events, 0 };
    uint64_t t0 = ra_now_ns();
    int left, rc;

    if (pfd.fd < 0)
        return lost(c, p);
    for (;;) {
        rc = still_on(c, p);
        if (rc < 0)
            return rc;
        if (c->io_ms > 0
            && (int64_t) ((ra_now_ns() - t0) / RA_NSEC_PER_MSEC) >= c->io_ms)
            return fail(c, p, -ETIMEDOUT, false,
                        "the %s sent nothing for %" PRId64 " s "
                        "(--io-timeout)",
                        p->side, c->io_ms / 1000);
        left = ra_deadline_poll_ms(c->d);
        rc = poll(&pfd, 1,
                  left < 0 || left > WAIT_SLICE_MS ? WAIT_SLICE_MS : left);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return fail(c, p, -errno, false, "poll: %s", strerror(errno));
    }
}

/* The SQLSTATE of a message built with PQERRORS_VERBOSE
 * ("FATAL:  28P01: ..."), or "" */
static void
message_sqlstate(const char *msg, char state[6])
{
    const char *s;
    size_t i;

    state[0] = '\0';
    for (s = strstr(msg, ":  "); s; s = strstr(s + 1, ":  ")) {
        for (i = 0; i < 5; i++)
            if (!((s[3 + i] >= '0' && s[3 + i] <= '9')
                  || (s[3 + i] >= 'A' && s[3 + i] <= 'Z')))
                break;
        if (i == 5 && s[8] == ':') {
            memcpy(state, s + 3, 5);
            state[5] = '\0';
            return;
        }
    }
}

/* Why a connection failed: the operator's to fix (refused) or the link's */
static int
connect_failed(struct cyc *c, struct pgc *p)
{
    const char *msg = PQerrorMessage(p->conn);
    char state[6], line[160];

    message_sqlstate(msg, state);
    first_line(msg, line, sizeof line);
    if (!strcmp(state, "28P01"))
        return fail(c, p, -EACCES, true,
                    "the %s refused the credentials in --pg-auth-file",
                    p->side);
    if (!strcmp(state, "28000"))
        return fail(c, p, -EACCES, true,
                    "the %s does not let the role of --pg-auth-file in: its "
                    "pg_hba.conf needs a line for this host (hostssl DB ROLE "
                    "ADDRESS/32 scram-sha-256), or the role is missing",
                    p->side);
    if (!strcmp(state, "3D000"))
        return fail(c, p, -ENOENT, true, "database %s does not exist on the %s",
                    p->db, p->side);
    if (!strcmp(state, "42501"))
        return fail(c, p, -EACCES, true,
                    "the role of --pg-auth-file may not connect: GRANT "
                    "CONNECT ON DATABASE on the %s",
                    p->side);
    if (state[0])
        return fail(c, p, -ECONNREFUSED, false,
                    "the %s refused the connection (SQLSTATE %s)", p->side,
                    state);
    if (strstr(msg, "invalid response"))
        return fail(c, p, -EPROTO, true,
                    "the %s does not speak PostgreSQL's protocol there: %s",
                    p->side, line);
    if (strstr(msg, "SSL") || strstr(msg, "certificate"))
        return fail(c, p, -EPERM, true,
                    "TLS to the %s failed (check --pg-sslmode, --tls-ca): %s",
                    p->side, line);
    return fail(c, p, -EHOSTUNREACH, false, "cannot reach the %s: %s", p->side,
                line);
}

/* The source's public key against --tls-fingerprint ("sha256//" and the
 * base64 SHA-256 of its DER SubjectPublicKeyInfo, as curl pins): checked
 * as soon as TLS is up, before the authentication */
static int
check_pin(struct cyc *c, struct pgc *p)
{
    const char *pin = c->r->conf.tls.fingerprint;
    SSL *ssl = PQsslStruct(p->conn, "OpenSSL");
    X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
    unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH], b64[64];
    int len = cert ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
    bool ok = false;

    if (len > 0 && SHA256(der, (size_t) len, md)
        && EVP_EncodeBlock(b64, md, sizeof md) == 44)
        ok = strcmp(pin + strlen("sha256//"), (const char *) b64) == 0;
    OPENSSL_free(der);
    X509_free(cert);
    if (!ssl)
        return fail(c, p, -EPERM, true,
                    "the source's PostgreSQL answered without TLS, which "
                    "--tls-fingerprint needs");
    return ok ? 0
              : fail(c, p, -EPERM, true,
                     "the source's PostgreSQL key does not match "
                     "--tls-fingerprint");
}

/* TLS is up with @conn: its handshake finished */
static bool
tls_up(PGconn *conn)
{
    SSL *ssl = PQsslInUse(conn) ? PQsslStruct(conn, "OpenSSL") : NULL;

    return ssl && SSL_is_init_finished(ssl);
}

/* libpq's sslmode for the source: --pg-sslmode, made verify-full by
 * --tls-ca and require by --tls-fingerprint when left at its default */
static const char *
source_sslmode(const struct repl_conf *cf)
{
    if (strcmp(cf->pg_sslmode, "prefer") != 0)
        return cf->pg_sslmode;
    if (cf->tls.ca_file)
        return "verify-full";
    return cf->tls.fingerprint ? "require" : "prefer";
}

/* Connects @p to database @db of @ep: libpq's keyword/value arrays, so the
 * password is never in a string that could be logged */
static int
pg_connect(struct cyc *c, struct pgc *p, const struct repl_pg_ep *ep,
           bool source)
{
    const struct repl_conf *cf = &c->r->conf;
    const char *kw[12], *val[12];
    PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
    bool pin = source && cf->tls.fingerprint;
    size_t k = 0;
    int rc;

    kw[k] = "host", val[k++] = ep->host;
    kw[k] = "port", val[k++] = ep->port;
    kw[k] = "dbname", val[k++] = p->db;
    kw[k] = "application_name", val[k++] = "pmmha-replicator";
    kw[k] = "client_encoding", val[k++] = "UTF8";
    kw[k] = "gssencmode", val[k++] = "disable";
    if (ep->user)
        kw[k] = "user", val[k++] = ep->user;
    if (ep->password)
        kw[k] = "password", val[k++] = ep->password;
    if (source)
        kw[k] = "sslmode", val[k++] = source_sslmode(cf);
    if (source && cf->tls.ca_file)
        kw[k] = "sslrootcert", val[k++] = cf->tls.ca_file;
    kw[k] = val[k] = NULL;
    snprintf(p->step, sizeof p->step, "connecting to %s port %s", ep->host,
             ep->port);
    p->conn = PQconnectStartParams(kw, val, 0);
    if (!p->conn)
        return fail(c, p, -ENOMEM, false, "out of memory");
    PQsetErrorVerbosity(p->conn, PQERRORS_VERBOSE); /* the SQLSTATE */
    while (ps != PGRES_POLLING_OK) {
        if (ps == PGRES_POLLING_FAILED || PQstatus(p->conn) == CONNECTION_BAD)
            return connect_failed(c, p);
        if (pin && tls_up(p->conn)) {
            rc = check_pin(c, p); /* before anything of the password */
            if (rc < 0)
                return rc;
            pin = false;
        }
        rc = pg_wait(c, p, ps == PGRES_POLLING_READING ? POLLIN : POLLOUT);
        if (rc < 0)
            return rc;
        ps = PQconnectPoll(p->conn);
    }
    if (pin) /* TLS never came up (sslmode allowed it to be left out) */
        return check_pin(c, p);
    PQsetErrorVerbosity(p->conn, PQERRORS_TERSE);
    return PQsetnonblocking(p->conn, 1) == 0 ? 0 : lost(c, p);
}

/* Sends what libpq holds for @p, waiting while the socket is full */
static int
pg_flush(struct cyc *c, struct pgc *p)
{
    int rc;

    while ((rc = PQflush(p->conn)) == 1) {
        rc = pg_wait(c, p, POLLOUT | POLLIN);
        if (rc < 0)
            return rc;
        if (!PQconsumeInput(p->conn))
            return lost(c, p);
    }
    return rc < 0 ? lost(c, p) : 0;
}

/* The next result of @p's query (NULL after the last) */
static int
pg_next(struct cyc *c, struct pgc *p, PGresult **ret)
{
    int rc;

    while (PQisBusy(p->conn)) {
        rc = pg_wait(c, p, POLLIN);
        if (rc < 0)
            return rc;
        if (!PQconsumeInput(p->conn))
            return lost(c, p);
    }
    *ret = PQgetResult(p->conn);
    return 0;
}

/* A result that is not @want: a privilege (refused), the FK cycle
 * (refused), or another error of the server's (may pass) */
static int
bad_result(struct cyc *c, struct pgc *p, const PGresult *res)
{
    const char *state, *primary;

    if (!res || PQstatus(p->conn) == CONNECTION_BAD)
        return lost(c, p);
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!state)
        return fail(c, p, -EPROTO, false, "unexpected answer from the %s: %s",
                    p->side, PQresStatus(PQresultStatus(res)));
    if (!strcmp(state, "42501"))
        return fail(c, p, -EACCES, true,
                    "the role of --pg-auth-file lacks a privilege on the %s "
                    "(%s): %s",
                    p->side, primary ? primary : state,
                    p->source ? "GRANT pg_read_all_data TO it (PostgreSQL 14+)"
                              : "make it the tables' owner");
    if (!strcmp(state, "23503") && p->fk_cycle)
        return fail(c, p, -ELOOP, true,
                    "tables reference each other in a cycle: loading them "
                    "needs session_replication_role = replica (superuser, or "
                    "GRANT SET ON PARAMETER session_replication_role, PG 15+) "
                    "or DEFERRABLE foreign keys on the standby");
    if (p->quiet || !primary)
        return fail(c, p, -EPROTO, false, "the %s failed with SQLSTATE %s",
                    p->side, state);
    return fail(c, p, -EPROTO, false, "the %s failed with SQLSTATE %s: %s",
                p->side, state, primary);
}

/* The result of the query sent on @p, which must have status @want; the
 * results after it are read (except a COPY's, which go on). */
static int
pg_collect(struct cyc *c, struct pgc *p, ExecStatusType want, PGresult **ret)
{
    PGresult *res = NULL, *more = NULL;
    bool copy = want == PGRES_COPY_IN || want == PGRES_COPY_OUT;
    int rc = pg_next(c, p, &res);

    if (rc == 0 && !(copy && res && PQresultStatus(res) == want))
        while ((rc = pg_next(c, p, &more)) == 0 && more)
            PQclear(more);
    if (rc == 0 && (!res || PQresultStatus(res) != want))
        rc = bad_result(c, p, res);
    if (rc == 0 && ret)
        *ret = res;
    else
        PQclear(res);
    return rc;
}

/* One statement on @p (@n text parameters), its result of status @want
 * into *@ret when wanted */
static int
pg_query(struct cyc *c, struct pgc *p, const char *sql, int n,
         const char *const *params, ExecStatusType want, PGresult **ret)
{
    int rc;

    if (!PQsendQueryParams(p->conn, sql, n, NULL, params, NULL, NULL, 0))
        return lost(c, p);
    rc = pg_flush(c, p);
    return rc < 0 ? rc : pg_collect(c, p, want, ret);
}

static int
pg_rows(struct cyc *c, struct pgc *p, const char *step, const char *sql,
        int want_fields, PGresult **ret)
{
    int rc;

    snprintf(p->step, sizeof p->step, "%s", step);
    rc = pg_query(c, p, sql, 0, NULL, PGRES_TUPLES_OK, ret);
    if (rc == 0 && PQnfields(*ret) != want_fields) {
        PQclear(*ret);
        *ret = NULL;
        return fail(c, p, -EPROTO, false, "unexpected answer from the %s",
                    p->side);
    }
    return rc;
}

int
repl_pg_parse_i64(const char *s, int64_t *ret)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

/* Opens the source's snapshot: its now() is the position, its clock
 * against ours */
static int
snapshot(struct cyc *c, struct invdb *db)
{
    PGresult *res = NULL;
    int64_t sent, recv, clock = 0;
    int rc;

    snprintf(db->src.step, sizeof db->src.step, "taking the snapshot");
    rc = pg_query(c, &db->src,
                  "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
                  PGRES_COMMAND_OK, NULL);
    sent = repl_wall_ms();
    if (rc == 0)
        rc = pg_rows(c, &db->src, "taking the snapshot", SNAP_SQL, 2, &res);
    recv = repl_wall_ms();
    if (rc == 0
        && (PQntuples(res) != 1
            || repl_pg_parse_i64(PQgetvalue(res, 0, 0), &db->snap_ms)
            || repl_pg_parse_i64(PQgetvalue(res, 0, 1), &clock)))
        rc = fail(c, &db->src, -EPROTO, false, "no time from the source");
    if (rc == 0)
        repl_clock_note(c->r, clock, sent, recv);
    PQclear(res);
    return rc;
}

/* Connects to both sides, opens the snapshot, reads both catalogues */
static int
db_open(struct cyc *c, struct invdb *db, const char *name)
{
    int rc;

    db->src.side = "source";
    db->dst.side = "standby";
    db->src.db = db->dst.db = name;
    db->src.source = true;
    rc = pg_connect(c, &db->src, &c->r->conf.src_pg, true);
    if (rc == 0)
        rc = pg_connect(c, &db->dst, &c->r->conf.dst_pg, false);
    if (rc == 0)
        rc = snapshot(c, db);
    if (rc == 0)
        rc = pg_rows(c, &db->src, "reading the catalogue", TABLES_SQL, 6,
                     &db->tabs[0]);
    if (rc == 0)
        rc = pg_rows(c, &db->dst, "reading the catalogue", TABLES_SQL, 6,
                     &db->tabs[1]);
    if (rc == 0)
        rc = pg_rows(c, &db->src, "reading the sequences", SEQS_SQL, 6,
                     &db->seqs[0]);
    if (rc == 0)
        rc = pg_rows(c, &db->dst, "reading the sequences", SEQS_SQL, 6,
                     &db->seqs[1]);
    return rc;
}

static void
db_close(struct invdb *db)
{
    int i;

    for (i = 0; i < 2; i++) {
        PQclear(db->tabs[i]);
        PQclear(db->seqs[i]);
    }
    free(db->order);
    PQfinish(db->src.conn); /* the standby's transaction, if open, aborts */
    PQfinish(db->dst.conn);
}

static bool
has_table(const PGresult *tabs, const char *name)
{
    int i;

    for (i = 0; i < PQntuples(tabs); i++)
        if (!strcmp(PQgetvalue(tabs, i, T_NAME), name))
            return true;
    return false;
}

/* The migrations in @m's table agree on both sides (or it has none) */
static int
check_migrations(struct cyc *c, struct invdb *db, const struct migrations *m)
{
    PGresult *res[2] = { NULL, NULL };
    char step[64];
    int rc = 0;

    if (!has_table(db->tabs[0], m->table) && !has_table(db->tabs[1], m->table))
        return 0;
    if (!has_table(db->tabs[0], m->table) || !has_table(db->tabs[1], m->table))
        return fail(c, NULL, -EPROTO, true,
                    "schema mismatch in database %s: only the %s has %s; "
                    "nothing was copied",
                    db->src.db,
                    has_table(db->tabs[0], m->table) ? "source" : "standby",
                    m->table);
    snprintf(step, sizeof step, "reading %s", m->table);
    rc = pg_rows(c, &db->src, step, m->sql, 3, &res[0]);
    if (rc == 0)
        rc = pg_rows(c, &db->dst, step, m->sql, 3, &res[1]);
    if (rc == 0
        && (strcmp(PQgetvalue(res[0], 0, 1), PQgetvalue(res[1], 0, 1)) != 0
            || strcmp(PQgetvalue(res[0], 0, 2), PQgetvalue(res[1], 0, 2)) != 0))
        rc = fail(c, NULL, -EPROTO, true,
                  "schema mismatch in database %s: %s differs (source: %s "
                  "rows up to %s, standby: %s rows up to %s): run the same "
                  "PMM version on both nodes; nothing was copied",
                  db->src.db, m->table, PQgetvalue(res[0], 0, 1),
                  PQgetvalue(res[0], 0, 0), PQgetvalue(res[1], 0, 1),
                  PQgetvalue(res[1], 0, 0));
    PQclear(res[0]);
    PQclear(res[1]);
    return rc;
}

/* The first column where the descriptions @a and @b (one per line) differ */
static int
column_mismatch(struct cyc *c, const struct invdb *db, const char *table,
                const char *a, const char *b)
{
    int col = 1;
    size_t la, lb;

    for (;;) {
        la = strcspn(a, "\n");
        lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la) != 0)
            break;
        if (!a[la] || !b[lb]) { /* one side has more columns */
            a = a[la] ? a + la + 1 : "";
            b = b[lb] ? b + lb + 1 : "";
            la = strcspn(a, "\n");
            lb = strcspn(b, "\n");
            col++;
            break;
        }
        a += la + 1;
        b += lb + 1;
        col++;
    }
    if (!la)
        a = "(none)", la = strlen(a);
    if (!lb)
        b = "(none)", lb = strlen(b);
    return fail(c, NULL, -EPROTO, true,
                "schema mismatch in database %s: table %s, column %d is "
                "\"%.*s\" on the source, \"%.*s\" on the standby; nothing "
                "was copied",
                db->src.db, table, col, (int) la, a, (int) lb, b);
}

/* Both sides list the same names in column 0 of @res, in the same order
 * (both sorted by name); @desc >= 0: and the same descriptions there */
static int
check_same(struct cyc *c, const struct invdb *db, PGresult *const res[2],
           const char *what, int desc)
{
    int n0 = PQntuples(res[0]), n1 = PQntuples(res[1]), i = 0, j = 0, cmp;

    while (i < n0 || j < n1) {
        cmp = i == n0 ? 1
              : j == n1
                  ? -1
                  : strcmp(PQgetvalue(res[0], i, 0), PQgetvalue(res[1], j, 0));
        if (cmp != 0)
            return fail(c, NULL, -EPROTO, true,
                        "schema mismatch in database %s: %s %s is on the %s "
                        "only; nothing was copied",
                        db->src.db, what,
                        cmp < 0 ? PQgetvalue(res[0], i, 0)
                                : PQgetvalue(res[1], j, 0),
                        cmp < 0 ? "source" : "standby");
        if (desc >= 0
            && strcmp(PQgetvalue(res[0], i, desc), PQgetvalue(res[1], j, desc))
                   != 0)
            return column_mismatch(c, db, PQgetvalue(res[0], i, 0),
                                   PQgetvalue(res[0], i, desc),
                                   PQgetvalue(res[1], j, desc));
        i++;
        j++;
    }
    return 0;
}

/* The role may read everything on the source and replace it on the
 * standby; otherwise what to GRANT */
static int
check_privileges(struct cyc *c, struct invdb *db)
{
    int i;

    for (i = 0; i < PQntuples(db->tabs[0]); i++)
        if (strcmp(PQgetvalue(db->tabs[0], i, T_CAN_READ), "t") != 0)
            return fail(c, NULL, -EACCES, true,
                        "the role of --pg-auth-file cannot read table %s of "
                        "database %s on the source: GRANT pg_read_all_data "
                        "TO it (PostgreSQL 14+)",
                        PQgetvalue(db->tabs[0], i, T_NAME), db->src.db);
    for (i = 0; i < PQntuples(db->tabs[1]); i++)
        if (strcmp(PQgetvalue(db->tabs[1], i, T_CAN_LOAD), "t") != 0)
            return fail(c, NULL, -EACCES, true,
                        "the role of --pg-auth-file cannot empty and load "
                        "table %s of database %s on the standby: make it the "
                        "owner (or a member of the owner's role), or GRANT "
                        "INSERT, TRUNCATE ON ALL TABLES IN SCHEMA public",
                        PQgetvalue(db->tabs[1], i, T_NAME), db->src.db);
    for (i = 0; i < PQntuples(db->seqs[0]); i++)
        if (strcmp(PQgetvalue(db->seqs[0], i, S_CAN_READ), "t") != 0
            || strcmp(PQgetvalue(db->seqs[1], i, S_CAN_SET), "t") != 0)
            return fail(c, NULL, -EACCES, true,
                        "the role of --pg-auth-file cannot %s sequence %s of "
                        "database %s: GRANT %s",
                        strcmp(PQgetvalue(db->seqs[0], i, S_CAN_READ), "t") != 0
                            ? "read the source's"
                            : "set the standby's",
                        PQgetvalue(db->seqs[0], i, S_NAME), db->src.db,
                        strcmp(PQgetvalue(db->seqs[0], i, S_CAN_READ), "t") != 0
                            ? "pg_read_all_data TO it on the source"
                            : "UPDATE ON ALL SEQUENCES IN SCHEMA public TO "
                              "it on the standby");
    return 0;
}

/* The foreign keys of FK_SQL's answer into @fks */
static int
read_fks(struct cyc *c, struct invdb *db, const PGresult *res,
         struct repl_fk *fks)
{
    int64_t a, b;
    int i;

    for (i = 0; i < PQntuples(res); i++) {
        if (repl_pg_parse_i64(PQgetvalue(res, i, 0), &a) < 0
            || repl_pg_parse_i64(PQgetvalue(res, i, 1), &b) < 0 || a < 0
            || b < 0)
            return fail(c, &db->src, -EPROTO, false, "unexpected answer");
        fks[i] = (struct repl_fk){ (size_t) a, (size_t) b };
    }
    return 0;
}

/* The load order from the source's foreign keys; a cycle: the catalogue's
 * order, loaded with the checks off (see defer_checks) */
static int
plan_order(struct cyc *c, struct invdb *db)
{
    size_t n = (size_t) PQntuples(db->tabs[0]), i, n_fks;
    struct repl_fk *fks = NULL;
    PGresult *res = NULL;
    int rc;

    rc = pg_rows(c, &db->src, "reading the foreign keys", FK_SQL, 2, &res);
    if (rc < 0)
        return rc;
    n_fks = (size_t) PQntuples(res);
    fks = calloc(n_fks ? n_fks : 1, sizeof *fks);
    db->order = calloc(n ? n : 1, sizeof *db->order);
    if (!fks || !db->order) {
        rc = fail(c, NULL, -ENOMEM, false, "out of memory");
        goto done;
    }
    rc = read_fks(c, db, res, fks);
    if (rc == 0)
        rc = repl_order_tables(n, fks, n_fks, db->order);
    if (rc == -ELOOP) {
        for (i = 0; i < n; i++)
            db->order[i] = i;
        db->fk_cycle = db->dst.fk_cycle = true;
        rc = 0;
    } else if (rc < 0) {
        rc = fail(c, NULL, rc, false, "cannot order the tables: %s",
                  strerror(-rc));
    }
done:
    free(fks);
    PQclear(res);
    return rc;
}

/* Nothing is written unless both sides agree and the role may do it all */
static int
db_check(struct cyc *c, struct invdb *db)
{
    size_t i;
    int rc = 0;
    bool pmm = false;

    /* pmm-managed keeps schema_migrations, Grafana migration_log: a
     * database with neither is not a PMM's, and is never truncated */
    for (i = 0; i < sizeof migrations / sizeof migrations[0]; i++)
        pmm = pmm || has_table(db->tabs[0], migrations[i].table);
    if (!pmm)
        return fail(c, NULL, -EPROTO, true,
                    "database %s on the source is not a PMM's (no "
                    "schema_migrations nor migration_log): fix "
                    "--pg-databases or --source-pg; nothing was copied",
                    db->src.db);
    for (i = 0; rc == 0 && i < sizeof migrations / sizeof migrations[0]; i++)
        rc = check_migrations(c, db, &migrations[i]);
    if (rc == 0)
        rc = check_same(c, db, db->tabs, "table", T_DESC);
    if (rc == 0)
        rc = check_same(c, db, db->seqs, "sequence", -1);
    if (rc == 0) /* the same tables on both sides: rows match */
        rc = check_privileges(c, db);
    return rc == 0 ? plan_order(c, db) : rc;
}

/* Tables that reference each other in a cycle: foreign keys unchecked for
 * this transaction (superuser or PG 15's SET privilege), or else deferred
 * to the COMMIT (DEFERRABLE keys; others fail there, refused clearly) */
static int
defer_checks(struct cyc *c, struct invdb *db)
{
    struct pgc *p = &db->dst;
    int rc;

    snprintf(p->step, sizeof p->step, "turning the foreign-key checks off");
    rc = pg_query(c, p, "SAVEPOINT pmmha_fk", 0, NULL, PGRES_COMMAND_OK, NULL);
    if (rc < 0)
        return rc;
    if (!PQsendQueryParams(p->conn,
                           "SET LOCAL session_replication_role = replica", 0,
                           NULL, NULL, NULL, NULL, 0))
        return lost(c, p);
    rc = pg_flush(c, p);
    if (rc == 0 && pg_collect(c, p, PGRES_COMMAND_OK, NULL) < 0) {
        c->failed = false; /* not an error yet: the other way is tried */
        c->st->refused = false;
        c->st->error[0] = '\0';
        rc = pg_query(c, p, "ROLLBACK TO SAVEPOINT pmmha_fk", 0, NULL,
                      PGRES_COMMAND_OK, NULL);
        if (rc == 0)
            rc = pg_query(c, p, "SET CONSTRAINTS ALL DEFERRED", 0, NULL,
                          PGRES_COMMAND_OK, NULL);
    }
    return rc;
}

/* "PREFIX a, b, c" from column @col of @res; NULL: no memory */
static char *
join_names(const char *prefix, const PGresult *res, int col)
{
    size_t len = strlen(prefix) + 1, at;
    int i, n = PQntuples(res);
    char *s;

    for (i = 0; i < n; i++)
        len += (size_t) PQgetlength(res, i, col) + 2;
    s = malloc(len);
    if (!s)
        return NULL;
    at = (size_t) snprintf(s, len, "%s", prefix);
    for (i = 0; i < n; i++)
        at += (size_t) snprintf(s + at, len - at, "%s%s", i ? ", " : "",
                                PQgetvalue(res, i, col));
    return s;
}

static int
truncate_all(struct cyc *c, struct invdb *db)
{
    char *sql;
    int rc;

    if (PQntuples(db->tabs[1]) == 0)
        return 0;
    sql = join_names("TRUNCATE TABLE ", db->tabs[1], T_QNAME);
    if (!sql)
        return fail(c, NULL, -ENOMEM, false, "out of memory");
    snprintf(db->dst.step, sizeof db->dst.step, "emptying the tables");
    rc = pg_query(c, &db->dst, sql, 0, NULL, PGRES_COMMAND_OK, NULL);
    free(sql);
    return rc;
}

/* Queues one row for the standby, waiting while libpq cannot take it */
static int
put_row(struct cyc *c, struct pgc *p, const char *buf, int n)
{
    int r, rc;

    while ((r = PQputCopyData(p->conn, buf, n)) == 0) {
        rc = pg_wait(c, p, POLLOUT);
        if (rc < 0)
            return rc;
        if (PQflush(p->conn) < 0)
            return lost(c, p);
    }
    return r < 0 ? lost(c, p) : 0;
}

/* The source's COPY OUT into the standby's COPY IN, row by row; at most
 * FLUSH_EVERY bytes wait in libpq for the standby */
static int
pump(struct cyc *c, struct invdb *db)
{
    uint64_t queued = 0;
    char *buf = NULL;
    int n, rc = 0;

    while (rc == 0) {
        n = PQgetCopyData(db->src.conn, &buf, 1);
        if (n > 0) {
            rc = put_row(c, &db->dst, buf, n);
            PQfreemem(buf);
            db->bytes += (uint64_t) n;
            queued += (uint64_t) n;
            if (rc == 0 && queued >= FLUSH_EVERY) {
                queued = 0;
                rc = still_on(c, &db->src);
                if (rc == 0)
                    rc = pg_flush(c, &db->dst);
            }
        } else if (n == 0) {
            if (PQflush(db->dst.conn) < 0)
                return lost(c, &db->dst);
            rc = pg_wait(c, &db->src, POLLIN);
            if (rc == 0 && !PQconsumeInput(db->src.conn))
                rc = lost(c, &db->src);
        } else {
            return n == -1 ? 0 : lost(c, &db->src);
        }
    }
    return rc;
}

/* Ends both COPYs: the source's must have succeeded, the standby's
 * tells how many rows it took */
static int
copy_end(struct cyc *c, struct invdb *db)
{
    PGresult *res = NULL;
    int r, rc;

    rc = pg_collect(c, &db->src, PGRES_COMMAND_OK, NULL);
    while (rc == 0 && (r = PQputCopyEnd(db->dst.conn, NULL)) <= 0) {
        if (r < 0)
            return lost(c, &db->dst);
        rc = pg_wait(c, &db->dst, POLLOUT);
        if (rc == 0 && PQflush(db->dst.conn) < 0)
            return lost(c, &db->dst);
    }
    if (rc == 0)
        rc = pg_flush(c, &db->dst);
    if (rc == 0)
        rc = pg_collect(c, &db->dst, PGRES_COMMAND_OK, &res);
    if (rc == 0)
        db->rows += strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return rc;
}

/* Table @i (the same row in both catalogues) from the source's snapshot
 * into the standby's transaction */
static int
copy_table(struct cyc *c, struct invdb *db, int i)
{
    const char *name = PQgetvalue(db->tabs[0], i, T_NAME);
    char *out = NULL, *in = NULL;
    int rc;

    if (!*PQgetvalue(db->tabs[0], i, T_COLS))
        return 0; /* no column: nothing to copy */
    if (asprintf(&out, "COPY (SELECT %s FROM %s) TO STDOUT",
                 PQgetvalue(db->tabs[0], i, T_COLS),
                 PQgetvalue(db->tabs[0], i, T_QNAME))
            < 0
        || asprintf(&in, "COPY %s (%s) FROM STDIN",
                    PQgetvalue(db->tabs[1], i, T_QNAME),
                    PQgetvalue(db->tabs[1], i, T_COLS))
               < 0) {
        free(out);
        return fail(c, NULL, -ENOMEM, false, "out of memory");
    }
    snprintf(db->src.step, sizeof db->src.step, "copying table %s", name);
    snprintf(db->dst.step, sizeof db->dst.step, "copying table %s", name);
    db->src.quiet = db->dst.quiet = true;
    rc = pg_query(c, &db->dst, in, 0, NULL, PGRES_COPY_IN, NULL);
    if (rc == 0)
        rc = pg_query(c, &db->src, out, 0, NULL, PGRES_COPY_OUT, NULL);
    if (rc == 0)
        rc = pump(c, db);
    if (rc == 0)
        rc = copy_end(c, db);
    db->src.quiet = db->dst.quiet = false;
    free(out);
    free(in);
    return rc;
}

/* One "('name', value, is_called)" row of set_sequences' VALUES */
static int
sequence_value(struct cyc *c, struct invdb *db, int i, char *buf, size_t len)
{
    const char *v = PQgetvalue(db->seqs[0], i, S_VALUE);
    bool called = !PQgetisnull(db->seqs[0], i, S_VALUE);
    int64_t n;

    if (!called)
        v = PQgetvalue(db->seqs[1], i, S_START); /* never used yet */
    if (repl_pg_parse_i64(v, &n) < 0)
        return fail(c, &db->src, -EPROTO, false, "no value for sequence %s",
                    PQgetvalue(db->seqs[0], i, S_NAME));
    snprintf(buf, len, "%s(%s::text, %" PRId64 "::int8, %s)", i ? ", " : "",
             PQgetvalue(db->seqs[1], i, S_LITERAL), n,
             called ? "true" : "false");
    return 0;
}

/* Every sequence at the source's value, in one statement */
static int
set_sequences(struct cyc *c, struct invdb *db)
{
    static const char head[] = "SELECT count(pg_catalog.setval(v.s::regclass,"
                               " v.n, v.c)) FROM (VALUES ";
    int i, n = PQntuples(db->seqs[1]), rc = 0;
    size_t len = sizeof head + 32, at;
    char *sql;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        len += (size_t) PQgetlength(db->seqs[1], i, S_LITERAL) + 48;
    sql = malloc(len);
    if (!sql)
        return fail(c, NULL, -ENOMEM, false, "out of memory");
    at = (size_t) snprintf(sql, len, "%s", head);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = sequence_value(c, db, i, sql + at, len - at);
        at += strlen(sql + at);
    }
    snprintf(sql + at, len - at, ") AS v(s, n, c)");
    snprintf(db->dst.step, sizeof db->dst.step, "setting the sequences");
    if (rc == 0)
        rc = pg_query(c, &db->dst, sql, 0, NULL, PGRES_TUPLES_OK, NULL);
    free(sql);
    return rc;
}

/* The standby's copy of @db replaced by the snapshot, in one transaction */
static int
db_copy(struct cyc *c, struct invdb *db)
{
    PGresult *res = NULL;
    size_t i, n = (size_t) PQntuples(db->tabs[0]);
    int rc;

    snprintf(db->dst.step, sizeof db->dst.step, "opening the transaction");
    rc = pg_query(c, &db->dst, "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL);
    if (rc == 0 && db->fk_cycle)
        rc = defer_checks(c, db);
    if (rc == 0)
        rc = truncate_all(c, db);
    for (i = 0; rc == 0 && i < n; i++)
        rc = copy_table(c, db, (int) db->order[i]);
    if (rc == 0)
        rc = set_sequences(c, db);
    snprintf(db->dst.step, sizeof db->dst.step, "committing");
    if (rc == 0)
        rc = pg_query(c, &db->dst, "COMMIT", 0, NULL, PGRES_COMMAND_OK, &res);
    if (rc == 0 && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = fail(c, &db->dst, -EPROTO, false, "the standby rolled back");
    PQclear(res);
    return rc;
}

/**
 * One cycle of the inventory stream (see repl.h): every database of
 * --pg-databases replaced on the standby by a snapshot of the source, each
 * in one transaction. The position is the earliest snapshot's now() on the
 * source: everything committed there before it is on the standby.
 */
int
repl_inventory_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    struct cyc c = { r, st, d, r->conf.io_timeout_ms, false };
    struct invdb dbs[MAX_DBS];
    size_t i, n = r->conf.n_pg_dbs < MAX_DBS ? r->conf.n_pg_dbs : MAX_DBS;
    int64_t pos = INT64_MAX;
    int rc = 0;

    memset(dbs, 0, sizeof dbs);
    /* every snapshot open and every check passed before anything is
     * written: a mismatch in one database leaves all of them as they are */
    for (i = 0; rc == 0 && i < n; i++)
        rc = db_open(&c, &dbs[i], r->conf.pg_dbs[i]);
    for (i = 0; rc == 0 && i < n; i++)
        rc = db_check(&c, &dbs[i]);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = db_copy(&c, &dbs[i]);
        st->copied += dbs[i].rows;
        st->bytes += dbs[i].bytes;
        pos = dbs[i].snap_ms < pos ? dbs[i].snap_ms : pos;
    }
    for (i = 0; i < n; i++)
        db_close(&dbs[i]);
    if (rc < 0)
        return rc;
    st->position_ms = n ? pos : repl_wall_ms();
    st->source_now_ms = repl_wall_ms() + (r->skew_known ? r->skew_ms : 0);
    return 0;
}
