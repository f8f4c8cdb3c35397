using Microsoft.EntityFrameworkCore;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>Chooses the provider and its own migrations assembly (EF's multi-provider pattern).</summary>
public static class PortalDbContextOptions
{
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, DatabaseOptions database)
    {
        var connectionString = database.ResolveConnectionString();
        var assembly = DatabaseOptions.MigrationsAssembly(database.Provider);
        return database.Provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(assembly)),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(assembly)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(assembly)),
            _ => throw new ArgumentOutOfRangeException(nameof(database), database.Provider, "Unknown database provider."),
        };
    }

    public static DbContextOptions<PortalDbContext> For(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        Configure(builder, new DatabaseOptions { Provider = provider, ConnectionString = connectionString });
        return builder.Options;
    }
}
