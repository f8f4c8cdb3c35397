# MigrationPortal: a production image. Not built in CI (the build machines have no Docker engine and cannot pull
# images); see docs/operations.md, "Container image", for what is and is not verified.
#
#   docker build -t migrationportal .
#   docker run -p 8080:8080 -v mp-data:/var/lib/migrationportal migrationportal      # SQLite, one node
#
# Stage 1 builds and publishes with the SDK; stage 2 is the ASP.NET runtime with the published output only.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins the SDK feature band of our build machines, which the image's SDK need
# not match. The project files come first, so the restore layer is reused while only source changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MigrationPortal.Domain/MigrationPortal.Domain.csproj src/MigrationPortal.Domain/
COPY src/MigrationPortal.Application/MigrationPortal.Application.csproj src/MigrationPortal.Application/
COPY src/MigrationPortal.Infrastructure/MigrationPortal.Infrastructure.csproj src/MigrationPortal.Infrastructure/
COPY src/MigrationPortal.Migrations.Sqlite/MigrationPortal.Migrations.Sqlite.csproj src/MigrationPortal.Migrations.Sqlite/
COPY src/MigrationPortal.Migrations.SqlServer/MigrationPortal.Migrations.SqlServer.csproj src/MigrationPortal.Migrations.SqlServer/
COPY src/MigrationPortal.Migrations.PostgreSql/MigrationPortal.Migrations.PostgreSql.csproj src/MigrationPortal.Migrations.PostgreSql/
COPY src/MigrationPortal.Web/MigrationPortal.Web.csproj src/MigrationPortal.Web/
RUN dotnet restore src/MigrationPortal.Web/MigrationPortal.Web.csproj
COPY src/ src/
# Published, so the static assets (blazor.web.js, MudBlazor's CSS and JS) are in the output's wwwroot.
RUN dotnet publish src/MigrationPortal.Web/MigrationPortal.Web.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the HEALTHCHECK (the runtime image has no HTTP client); libvirt0 for KVM connections (the connector calls
# libvirt.so.0 and libvirt-qemu.so.0); qemu-utils for the disk conversion of VMware-to-KVM moves. virt-v2v is left out
# (large, and off by default): run it on a conversion host over SSH (openssh-client; docs/operations.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl libvirt0 qemu-utils openssh-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# The SQLite data folder (database, Hangfire's file). With SQL Server or PostgreSQL it stays empty, and everything,
# the Data Protection keys included, is in the database.
RUN mkdir -p /var/lib/migrationportal && chown app:app /var/lib/migrationportal
VOLUME /var/lib/migrationportal
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    Database__DataDirectory=/var/lib/migrationportal \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# "app" (UID 1654) is the non-root user the .NET images ship.
USER app
EXPOSE 8080
# Liveness only: a database outage must not get the container restarted (readiness is /health/ready, for the proxy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["dotnet", "MigrationPortal.Web.dll"]
