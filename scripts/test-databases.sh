#!/usr/bin/env bash
# The server-database suites in throwaway containers through Testcontainers: PostgreSQL and SQL Server (the SQL Server
# migrations, the bulk insert of the inventory sync, the one-active-request index, waves, the db/sqlserver.sql script).
# This is the only way SQL Server is tested. Needs a Docker engine (DOCKER_HOST, or /var/run/docker.sock) that can pull
# postgres:17.6-alpine and mcr.microsoft.com/mssql/server:2022-CU21-ubuntu-22.04. Not run on our build machines: they
# have no Docker engine. Arguments are passed to dotnet test (e.g. --filter to narrow further).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export MIGRATIONPORTAL_TEST_DATABASES=containers
# Without an engine the run must fail, never pass on SQLite alone (TestDatabaseServers fails the same way under CI=true).
export CI=true
dotnet build MigrationPortal.sln -c Release -v q -nologo
status=0
dotnet test tests/MigrationPortal.Application.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~PostgreSql|FullyQualifiedName~SqlServer|FullyQualifiedName~SchemaDrift|FullyQualifiedName~TestDatabaseServers" "$@" || status=1
dotnet test tests/MigrationPortal.Web.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~PostgreSql" "$@" || status=1
exit $status
