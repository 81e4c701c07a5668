-- pmm-shape: PMM's roles and databases (pmm-managed's and Grafana's own
-- roles with PMM's default passwords; reached over the unix socket inside).
CREATE ROLE "pmm-managed" LOGIN PASSWORD 'pmm-managed';
CREATE DATABASE "pmm-managed" OWNER "pmm-managed";
CREATE ROLE grafana LOGIN PASSWORD 'grafana';
CREATE DATABASE grafana OWNER grafana;
