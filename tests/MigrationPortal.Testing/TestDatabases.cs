using Microsoft.Data.Sqlite;
using MigrationPortal.Infrastructure.Persistence;
using Npgsql;

namespace MigrationPortal.Testing;

/// <summary>
/// A fresh, empty database per test: a temporary SQLite file, or a new database on the PostgreSQL server that
/// scripts/test.sh starts. A missing PostgreSQL server is a failure, never a skip.
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "MIGRATIONPORTAL_TEST_POSTGRES";

    public static async Task<(string ConnectionString, Func<Task> Drop)> CreateAsync(DatabaseProvider provider)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var file = Path.Combine(Path.GetTempPath(), $"mp-test-{Guid.NewGuid():N}.db");
                return (SqliteConnectionString(file), () =>
                {
                    DeleteSqliteFile(file);
                    return Task.CompletedTask;
                });
            case DatabaseProvider.PostgreSql:
                var server = PostgresServer();
                var name = $"mp_test_{Guid.NewGuid():N}";
                await using (var admin = new NpgsqlConnection(server))
                {
                    await admin.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                    await create.ExecuteNonQueryAsync();
                }

                var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
                return (builder.ConnectionString, async () =>
                {
                    NpgsqlConnection.ClearAllPools();
                    await using var admin = new NpgsqlConnection(server);
                    await admin.OpenAsync();
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                    await drop.ExecuteNonQueryAsync();
                });
            default:
                throw new NotSupportedException($"No test server for {provider} on these machines.");
        }
    }

    /// <summary>The PostgreSQL server's connection string from <see cref="PostgresVariable"/>; throws when it is not set.</summary>
    public static string PostgresServer() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server && !string.IsNullOrWhiteSpace(server)
            ? server
            : throw new InvalidOperationException($"{PostgresVariable} is not set: run the tests through scripts/test.sh, which starts PostgreSQL.");

    /// <summary>The portal's connection string for a SQLite file (a 30 s busy timeout, as the web host sets).</summary>
    public static string SqliteConnectionString(string file) => $"Data Source={file};Default Timeout=30";

    /// <summary>Deletes a SQLite file and its WAL companions (after the last portal on it is disposed).</summary>
    public static void DeleteSqliteFile(string file)
    {
        // Pooled connections keep the file open; let go of them first.
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
    }
}
