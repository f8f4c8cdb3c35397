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
        // EF cannot make SQLite scripts idempotent (SQLite SQL has no IF); the embedded database migrates itself at start-up,
        // so its script is the plain one, for inspection. The server databases get idempotent scripts DBAs can re-run.
        var options = provider == DatabaseProvider.Sqlite ? MigrationsSqlGenerationOptions.Default : MigrationsSqlGenerationOptions.Idempotent;
        var script = db.GetService<IMigrator>().GenerateScript(options: options).ReplaceLineEndings("\n");
        var path = Path.Combine(RepositoryRoot(), "db", file);
        if (Environment.GetEnvironmentVariable("UPDATE_DB_SCRIPTS") == "1") File.WriteAllText(path, script);
        Assert.True(File.Exists(path), $"{path} is missing; generate it with UPDATE_DB_SCRIPTS=1.");
        Assert.True(script == File.ReadAllText(path).ReplaceLineEndings("\n"), $"db/{file} has drifted from the {provider} migrations; regenerate it with UPDATE_DB_SCRIPTS=1.");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MigrationPortal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
    }
}
