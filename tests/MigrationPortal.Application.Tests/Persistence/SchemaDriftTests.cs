using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Persistence;

/// <summary>
/// Fails when the model changes without a migration, or when a db/ script no longer matches the migrations.
/// Regenerate the scripts with: UPDATE_DB_SCRIPTS=1 dotnet test tests/MigrationPortal.Application.Tests --filter FullyQualifiedName~SchemaDrift
/// </summary>
public class SchemaDriftTests
{
    public static TheoryData<DatabaseProvider, string, string> Providers() => new()
    {
        { DatabaseProvider.Sqlite, "Data Source=:memory:", "sqlite.sql" },
        { DatabaseProvider.SqlServer, "Server=localhost;Database=MigrationPortal", "sqlserver.sql" },
        { DatabaseProvider.PostgreSql, "Host=localhost;Database=migrationportal", "postgresql.sql" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void Model_HasNoChangesWithoutMigration(DatabaseProvider provider, string connectionString, string _)
    {
        using var db = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model has changes no migration covers: add one with dotnet ef migrations add.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void DbScript_MatchesMigrations(DatabaseProvider provider, string connectionString, string file)
    {
        using var db = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
        var script = Generate(db, provider);
        var path = Path.Combine(RepositoryRoot(), "db", file);
        if (Environment.GetEnvironmentVariable("UPDATE_DB_SCRIPTS") == "1") File.WriteAllText(path, script);
        Assert.True(File.Exists(path), $"{path} is missing; generate it with UPDATE_DB_SCRIPTS=1.");
        Assert.True(script == File.ReadAllText(path).ReplaceLineEndings("\n"), $"db/{file} has drifted from the {provider} migrations; regenerate it with UPDATE_DB_SCRIPTS=1.");
    }

    /// <summary>The script in db/ applies to an empty database, and applying it again changes nothing and fails nothing.</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "sqlite.sql")]
    [InlineData(DatabaseProvider.PostgreSql, "postgresql.sql")]
    public Task DbScript_AppliesTwice_ToEmptyDatabase(DatabaseProvider provider, string file) => AppliesTwiceAsync(provider, file);

    /// <summary>The same on SQL Server, which exists only as a container (MIGRATIONPORTAL_TEST_DATABASES=containers).</summary>
    [Fact]
    [Trait("Category", "SqlServer")]
    public Task DbScript_AppliesTwice_ToEmptySqlServerDatabase() => AppliesTwiceAsync(DatabaseProvider.SqlServer, "sqlserver.sql");

    private static async Task AppliesTwiceAsync(DatabaseProvider provider, string file)
    {
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "db", file));
        // SQL Server's script is in batches separated by GO lines, which are sqlcmd's, not T-SQL: each batch is sent alone.
        var batches = provider == DatabaseProvider.SqlServer
            ? System.Text.RegularExpressions.Regex.Split(script, @"^\s*GO\s*$", System.Text.RegularExpressions.RegexOptions.Multiline).Where(b => !string.IsNullOrWhiteSpace(b)).ToList()
            : [script];
        var (connectionString, drop) = await TestDatabases.CreateAsync(provider);
        try
        {
            for (var run = 1; run <= 2; run++)
            {
                await using var db = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
                foreach (var batch in batches) await db.Database.ExecuteSqlRawAsync(batch);
            }

            await using var check = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
            Assert.Empty(await check.Database.GetPendingMigrationsAsync());
            Assert.Equal(1, await check.AuditChainHeads.CountAsync());
            Assert.False(check.Database.HasPendingModelChanges());
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>
    /// EF makes idempotent scripts for SQL Server and PostgreSQL. For SQLite it cannot (SQLite's SQL has no IF blocks, and
    /// ALTER TABLE ADD COLUMN has no IF NOT EXISTS), so db/sqlite.sql is the current model's create script made re-runnable
    /// (CREATE ... IF NOT EXISTS, INSERT OR IGNORE) plus the migration history rows. It creates a current database from
    /// nothing; an existing SQLite database is upgraded by the portal's own migrations at start-up.
    /// </summary>
    private static string Generate(PortalDbContext db, DatabaseProvider provider)
    {
        var migrator = db.GetService<IMigrator>();
        if (provider != DatabaseProvider.Sqlite)
            return migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent).ReplaceLineEndings("\n");
        var create = db.Database.GenerateCreateScript().ReplaceLineEndings("\n")
            .Replace("CREATE TABLE \"", "CREATE TABLE IF NOT EXISTS \"")
            .Replace("CREATE UNIQUE INDEX \"", "CREATE UNIQUE INDEX IF NOT EXISTS \"")
            .Replace("CREATE INDEX \"", "CREATE INDEX IF NOT EXISTS \"")
            .Replace("INSERT INTO \"", "INSERT OR IGNORE INTO \"");
        var version = typeof(DbContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        var script = new System.Text.StringBuilder();
        script.Append("CREATE TABLE IF NOT EXISTS \"__EFMigrationsHistory\" (\n    \"MigrationId\" TEXT NOT NULL CONSTRAINT \"PK___EFMigrationsHistory\" PRIMARY KEY,\n    \"ProductVersion\" TEXT NOT NULL\n);\n\n");
        script.Append("BEGIN TRANSACTION;\n").Append(create.Trim()).Append("\n\n");
        foreach (var migration in db.Database.GetMigrations())
            script.Append($"INSERT OR IGNORE INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\")\nVALUES ('{migration}', '{version}');\n");
        script.Append("\nCOMMIT;\n");
        return script.ToString();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MigrationPortal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
    }
}
