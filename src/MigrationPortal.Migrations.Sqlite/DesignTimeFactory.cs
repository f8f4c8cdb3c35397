using Microsoft.EntityFrameworkCore.Design;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Migrations.Sqlite;

/// <summary>Lets dotnet-ef build the model for Sqlite without starting the web app; no connection is opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(PortalDbContextOptions.For(DatabaseProvider.Sqlite, "Data Source=design-time.db"));
}
