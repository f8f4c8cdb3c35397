using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Testing;

/// <summary>What a <see cref="TestPortal"/> runs on: the database, the clock, and the settings and fakes its test adds.</summary>
public sealed record TestPortalOptions(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>Configuration over the harness's own (Database:*), for example a lab's defaults and then a test's Smtp section.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The shiftable clock to reuse (a "restart" keeps the offset of the portal before it); null makes a new one.</summary>
    public ShiftableTimeProvider? Time { get; init; }

    /// <summary>A clock the test drives itself (a FakeTimeProvider) instead of <see cref="Time"/>.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Registrations added after the portal's own, so a test's fakes (a connector that refuses a cancel) win.</summary>
    public Action<IServiceCollection>? Configure { get; init; }

    /// <summary>False for a portal that joins a database other processes already set up (the node-crash test's client).</summary>
    public bool InitializeDatabase { get; init; } = true;

    public static TestPortalOptions SqliteFile(string file) => new(DatabaseProvider.Sqlite, TestDatabases.SqliteConnectionString(file));
}
