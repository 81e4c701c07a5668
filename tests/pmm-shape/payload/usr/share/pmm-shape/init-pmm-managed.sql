-- pmm-shape: a subset of pmm-managed's schema (managed/models/database.go),
-- created as pmm-managed's migrations would, owned by role pmm-managed.
SET ROLE "pmm-managed";
CREATE TABLE schema_migrations (id integer NOT NULL, PRIMARY KEY (id));
INSERT INTO schema_migrations SELECT generate_series(1, 98);
-- no primary key, as PMM's (migration 2)
CREATE TABLE settings (settings jsonb);
INSERT INTO settings (settings) VALUES ('{"telemetry": {"disabled": true}, "shape_tick": 0}');
CREATE TABLE nodes (
    node_id varchar NOT NULL PRIMARY KEY,
    node_type varchar NOT NULL CHECK (node_type <> ''),
    node_name varchar NOT NULL CHECK (node_name <> '') UNIQUE,
    machine_id varchar,
    distro varchar NOT NULL DEFAULT '',
    address varchar NOT NULL DEFAULT '',
    region varchar,
    custom_labels bytea,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE TABLE services (
    service_id varchar NOT NULL PRIMARY KEY,
    service_type varchar NOT NULL CHECK (service_type <> ''),
    service_name varchar NOT NULL CHECK (service_name <> '') UNIQUE,
    node_id varchar NOT NULL REFERENCES nodes ON DELETE RESTRICT,
    environment varchar NOT NULL DEFAULT '',
    address varchar(255),
    port integer,
    custom_labels bytea,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE TABLE agents (
    agent_id varchar NOT NULL PRIMARY KEY,
    agent_type varchar NOT NULL CHECK (agent_type <> ''),
    runs_on_node_id varchar REFERENCES nodes,
    pmm_agent_id varchar REFERENCES agents,
    node_id varchar REFERENCES nodes,
    service_id varchar REFERENCES services,
    disabled boolean NOT NULL,
    status varchar NOT NULL,
    listen_port integer,
    version varchar,
    username varchar,
    password varchar,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
INSERT INTO nodes (node_id, node_type, node_name, address, created_at, updated_at)
    VALUES ('pmm-server', 'generic', 'pmm-server', '127.0.0.1', now(), now());
INSERT INTO services (service_id, service_type, service_name, node_id, address, port, created_at, updated_at)
    VALUES ('/service_id/pmm-server-postgresql', 'postgresql', 'pmm-server-postgresql', 'pmm-server',
            '127.0.0.1', 5432, now(), now());
INSERT INTO agents (agent_id, agent_type, runs_on_node_id, disabled, status, created_at, updated_at)
    VALUES ('pmm-server', 'pmm-agent', 'pmm-server', false, 'RUNNING', now(), now());
INSERT INTO agents (agent_id, agent_type, pmm_agent_id, service_id, disabled, status, username, password,
                    created_at, updated_at)
    VALUES ('/agent_id/pmm-server-postgres-exporter', 'postgres_exporter', 'pmm-server',
            '/service_id/pmm-server-postgresql', false, 'RUNNING', 'pmm-managed', 'pmm-managed', now(), now());
