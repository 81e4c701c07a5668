-- pmm-shape: Grafana-like tables (serial ids, no foreign keys, as
-- Grafana's), owned by role grafana, with Grafana's migration_log.
SET ROLE grafana;
CREATE TABLE migration_log (
    id serial PRIMARY KEY,
    migration_id varchar(255) NOT NULL,
    sql text NOT NULL,
    success boolean NOT NULL,
    error text NOT NULL,
    "timestamp" timestamp NOT NULL
);
INSERT INTO migration_log (migration_id, sql, success, error, "timestamp")
    SELECT 'create ' || t || ' table', 'CREATE TABLE ' || t, true, '', now()
    FROM unnest(ARRAY['org', 'user', 'dashboard', 'dashboard_version', 'api_key']) AS t;
CREATE TABLE org (
    id bigserial PRIMARY KEY,
    version integer NOT NULL,
    name varchar(190) NOT NULL UNIQUE,
    created timestamp NOT NULL,
    updated timestamp NOT NULL
);
CREATE TABLE "user" (
    id bigserial PRIMARY KEY,
    version integer NOT NULL,
    login varchar(190) NOT NULL UNIQUE,
    email varchar(190) NOT NULL UNIQUE,
    password varchar(255),
    org_id bigint NOT NULL,
    is_admin boolean NOT NULL,
    created timestamp NOT NULL,
    updated timestamp NOT NULL
);
CREATE TABLE dashboard (
    id bigserial PRIMARY KEY,
    version integer NOT NULL,
    slug varchar(189) NOT NULL,
    title varchar(189) NOT NULL,
    data text NOT NULL,
    org_id bigint NOT NULL,
    uid varchar(40),
    created timestamp NOT NULL,
    updated timestamp NOT NULL
);
CREATE TABLE dashboard_version (
    id serial PRIMARY KEY,
    dashboard_id bigint NOT NULL,
    version integer NOT NULL,
    created timestamp NOT NULL,
    message text NOT NULL,
    data text NOT NULL
);
CREATE TABLE api_key (
    id bigserial PRIMARY KEY,
    org_id bigint NOT NULL,
    name varchar(190) NOT NULL,
    key varchar(190) NOT NULL UNIQUE,
    role varchar(255) NOT NULL,
    created timestamp NOT NULL,
    updated timestamp NOT NULL,
    expires bigint
);
INSERT INTO org (version, name, created, updated) VALUES (0, 'Main Org.', now(), now());
INSERT INTO "user" (version, login, email, password, org_id, is_admin, created, updated)
    VALUES (0, 'admin', 'admin@localhost', 'not-a-real-hash', 1, true, now(), now());
INSERT INTO dashboard (version, slug, title, data, org_id, uid, created, updated)
    SELECT 1, 'pmm-home-' || n, 'PMM Home ' || n, '{"panels": []}', 1, 'home' || n, now(), now()
    FROM generate_series(1, 5) AS n;
