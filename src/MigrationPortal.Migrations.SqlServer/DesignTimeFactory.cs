using Microsoft.EntityFrameworkCore.Design;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Migrations.SqlServer;

/// <summary>Lets dotnet-ef build the model for SqlServer without starting the web app; no connection is opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(PortalDbContextOptions.For(DatabaseProvider.SqlServer, "Server=localhost;Database=MigrationPortal;Trusted_Connection=True;TrustServerCertificate=False"));
}
