using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>Bound from the "Database" section. SQLite is the embedded default; SQL Server and PostgreSQL serve several nodes.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Empty for SQLite means a file in <see cref="DataDirectory"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the SQLite database lives. Relative paths are taken from the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    public string ResolveConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString)) return ConnectionString;
        if (Provider != DatabaseProvider.Sqlite) throw new InvalidOperationException($"Database:ConnectionString is required for {Provider}.");
        Directory.CreateDirectory(DataDirectory);
        // Private cache, not Cache=Shared: in shared-cache mode SQLite locks per table and answers a conflict with
        // SQLITE_LOCKED ("database table is locked"), which the busy timeout does not wait out cleanly, so two run jobs
        // and the dispatcher writing at once stalled for the whole 30 s command timeout (Microsoft.Data.Sqlite also advises
        // against shared cache with WAL, which EF Core turns on for the databases it creates).
        return $"Data Source={Path.Combine(DataDirectory, "migrationportal.db")}";
    }

    public static string MigrationsAssembly(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "MigrationPortal.Migrations.Sqlite",
        DatabaseProvider.SqlServer => "MigrationPortal.Migrations.SqlServer",
        DatabaseProvider.PostgreSql => "MigrationPortal.Migrations.PostgreSql",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
