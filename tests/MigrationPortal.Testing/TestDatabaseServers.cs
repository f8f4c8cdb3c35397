using System.Net.Http;
using System.Net.Sockets;
using Testcontainers.MsSql;
using Testcontainers.PostgreSql;

namespace MigrationPortal.Testing;

/// <summary>Where the server-database suites get PostgreSQL and SQL Server from.</summary>
public enum TestDatabaseSource
{
    /// <summary>The PostgreSQL server MIGRATIONPORTAL_TEST_POSTGRES names (scripts/test.sh starts one); no SQL Server.</summary>
    Local,

    /// <summary>PostgreSQL and SQL Server in throwaway containers started through Testcontainers, one of each per test run.</summary>
    Containers,
}

/// <summary>
/// Chooses the database servers of a test run (MIGRATIONPORTAL_TEST_DATABASES = local | containers; unset: containers when
/// a Docker engine answers, else local) and starts the containers once per test process when they are chosen.
/// Testcontainers is the only way SQL Server (its migrations, its bulk insert) is tested, since our machines have no
/// SQL Server and no Docker: the container path has not been run on them.
/// </summary>
public static class TestDatabaseServers
{
    public const string Variable = "MIGRATIONPORTAL_TEST_DATABASES";

    // Pinned, so a run today and a run next year test the same servers.
    public const string PostgresImage = "postgres:17.6-alpine";
    public const string SqlServerImage = "mcr.microsoft.com/mssql/server:2022-CU21-ubuntu-22.04";

    private static readonly Lazy<TestDatabaseSource> Chosen = new(() => Choose(Environment.GetEnvironmentVariable(Variable),
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), DockerEngineAnswers, Console.Error.WriteLine));

    private static readonly Lazy<Task<PostgreSqlContainer>> Postgres = new(async () =>
    {
        var container = new PostgreSqlBuilder(PostgresImage).Build();
        await container.StartAsync();
        return container;
    });

    private static readonly Lazy<Task<MsSqlContainer>> SqlServer = new(async () =>
    {
        var container = new MsSqlBuilder(SqlServerImage).Build();
        await container.StartAsync();
        return container;
    });

    /// <summary>The source this test process uses, chosen once.</summary>
    public static TestDatabaseSource Source => Chosen.Value;

    /// <summary>
    /// The rule, apart from the environment so it can be tested: "local" is local; "containers" is containers when an
    /// engine answers, and otherwise a failure under CI (a run that was asked to test SQL Server must not pass without it)
    /// and local with a warning on a developer's machine; unset (or "auto") is containers when an engine answers, else local.
    /// </summary>
    public static TestDatabaseSource Choose(string? requested, bool ci, Func<bool> dockerAnswers, Action<string>? warn = null)
    {
        switch (requested?.Trim().ToLowerInvariant())
        {
            case "local":
                return TestDatabaseSource.Local;
            case "containers":
                if (dockerAnswers()) return TestDatabaseSource.Containers;
                if (ci)
                    throw new InvalidOperationException($"{Variable}=containers but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock), and CI=true: " +
                        $"start Docker, or set {Variable}=local to test on the local PostgreSQL only (SQL Server is then not tested).");
                warn?.Invoke($"{Variable}=containers but no Docker engine answers: using the local PostgreSQL; SQL Server is not tested in this run.");
                return TestDatabaseSource.Local;
            case null or "" or "auto":
                return dockerAnswers() ? TestDatabaseSource.Containers : TestDatabaseSource.Local;
            default:
                throw new InvalidOperationException($"{Variable}='{requested}' is not a choice: use local or containers (or leave it unset).");
        }
    }

    /// <summary>Whether a Docker engine answers its ping, at DOCKER_HOST (unix:// or tcp://) or at /var/run/docker.sock.</summary>
    public static bool DockerEngineAnswers() => DockerEngineAnswers(Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>Whether a Docker engine answers GET /_ping at <paramref name="dockerHost"/> (null: /var/run/docker.sock).</summary>
    public static bool DockerEngineAnswers(string? dockerHost)
    {
        var host = dockerHost is { Length: > 0 } ? dockerHost : "unix:///var/run/docker.sock";
        try
        {
            using var handler = new SocketsHttpHandler();
            Uri ping;
            if (host.StartsWith("unix://", StringComparison.Ordinal))
            {
                var path = host["unix://".Length..];
                if (!File.Exists(path)) return false;
                handler.ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                };
                ping = new Uri("http://docker/_ping");
            }
            else if (host.StartsWith("tcp://", StringComparison.Ordinal))
            {
                ping = new Uri($"http://{host["tcp://".Length..].TrimEnd('/')}/_ping");
            }
            else
            {
                return false;
            }

            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
            using var response = client.GetAsync(ping).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The PostgreSQL server's admin connection string: the container's, or the local one's from MIGRATIONPORTAL_TEST_POSTGRES.</summary>
    public static string PostgresServer() => Source == TestDatabaseSource.Containers
        ? Postgres.Value.GetAwaiter().GetResult().GetConnectionString()
        : Environment.GetEnvironmentVariable(TestDatabases.PostgresVariable) is { Length: > 0 } server && !string.IsNullOrWhiteSpace(server)
            ? server
            : throw new InvalidOperationException($"{TestDatabases.PostgresVariable} is not set: run the tests through scripts/test.sh, which starts PostgreSQL " +
                $"(or set {Variable}=containers where a Docker engine runs).");

    /// <summary>The SQL Server container's admin connection string; SQL Server exists only as a container.</summary>
    public static string SqlServerServer() => Source == TestDatabaseSource.Containers
        ? SqlServer.Value.GetAwaiter().GetResult().GetConnectionString()
        : throw new InvalidOperationException($"SQL Server is tested only in a container: run scripts/test-databases.sh (or set {Variable}=containers) where a Docker engine runs.");
}
