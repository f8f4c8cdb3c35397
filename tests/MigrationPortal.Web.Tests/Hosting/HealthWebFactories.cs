using Microsoft.Data.Sqlite;
using Npgsql;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>
/// The web app with a Hangfire server of its own (so the Hangfire check has a heartbeat to see) and no inventory sync
/// before next year (so no sync refreshes a connection a test made stale). <see cref="BreakDatabaseAsync"/> takes the
/// portal's database away under the running node.
/// </summary>
public abstract class HealthWebFactory : PortalWebFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Hangfire:ServerEnabled", "true"),
        ("Hangfire:WorkerCount", "1"),
        ("Hangfire:InventorySyncCron", "0 0 1 1 *"),
        .. DatabaseSettings,
    ];

    protected abstract IEnumerable<(string Key, string Value)> DatabaseSettings { get; }

    public abstract Task BreakDatabaseAsync();
}

public sealed class SqliteHealthWebFactory : HealthWebFactory
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"mp-health-{Guid.NewGuid():N}");

    protected override IEnumerable<(string Key, string Value)> DatabaseSettings =>
        [("Database:Provider", "Sqlite"), ("Database:DataDirectory", _dataDirectory)];

    /// <summary>Deletes the portal's file: the next connection opens a new, empty one with no tables.</summary>
    public override Task BreakDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(_dataDirectory, "migrationportal.db*")) File.Delete(f);
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDirectory, true); } catch (IOException) { }
    }
}

/// <summary>A fresh database on the server MIGRATIONPORTAL_TEST_POSTGRES names (a missing server fails, never skips).</summary>
public sealed class PostgreSqlHealthWebFactory : HealthWebFactory
{
    private readonly string _server = TestDatabases.PostgresServer();
    private readonly string _database = $"mp_health_{Guid.NewGuid():N}";

    public PostgreSqlHealthWebFactory()
    {
        using var admin = new NpgsqlConnection(_server);
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
        create.ExecuteNonQuery();
    }

    protected override IEnumerable<(string Key, string Value)> DatabaseSettings =>
    [
        ("Database:Provider", "PostgreSql"),
        ("Database:ConnectionString", new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString),
    ];

    /// <summary>Drops the database, closing the portal's sessions.</summary>
    public override async Task BreakDatabaseAsync()
    {
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        NpgsqlConnection.ClearAllPools();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(_server);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}
