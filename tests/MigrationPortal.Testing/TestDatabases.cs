using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using MigrationPortal.Infrastructure.Persistence;
using Npgsql;

namespace MigrationPortal.Testing;

/// <summary>
/// A fresh, empty database per test: a temporary SQLite file, or a new database on the PostgreSQL or SQL Server server
/// of this run (<see cref="TestDatabaseServers"/>: the local PostgreSQL scripts/test.sh starts, or containers). A missing
/// server is a failure, never a skip.
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
            case DatabaseProvider.SqlServer:
                var master = TestDatabaseServers.SqlServerServer();
                var database = $"mp_test_{Guid.NewGuid():N}";
                await using (var admin = new SqlConnection(master))
                {
                    await admin.OpenAsync();
                    await using var create = new SqlCommand($"CREATE DATABASE [{database}]", admin);
                    await create.ExecuteNonQueryAsync();
                }

                return (new SqlConnectionStringBuilder(master) { InitialCatalog = database }.ConnectionString, async () =>
                {
                    SqlConnection.ClearAllPools();
                    await using var admin = new SqlConnection(master);
                    await admin.OpenAsync();
                    await using var drop = new SqlCommand($"ALTER DATABASE [{database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{database}]", admin);
                    await drop.ExecuteNonQueryAsync();
                });
            default:
                throw new NotSupportedException($"No test server for {provider}.");
        }
    }

    /// <summary>The PostgreSQL server of this run (the container's, or <see cref="PostgresVariable"/>'s); throws when there is none.</summary>
    public static string PostgresServer() => TestDatabaseServers.PostgresServer();

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
