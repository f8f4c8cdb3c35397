using Microsoft.EntityFrameworkCore.Design;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Migrations.PostgreSql;

/// <summary>Lets dotnet-ef build the model for PostgreSql without starting the web app; no connection is opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(PortalDbContextOptions.For(DatabaseProvider.PostgreSql, "Host=localhost;Database=migrationportal"));
}
