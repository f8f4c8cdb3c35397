using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>Each test gets its own empty database on the provider the derived class names, and a harness on it.</summary>
public abstract class DatabaseTestBase(DatabaseProvider provider) : IAsyncLifetime
{
    private Func<Task>? _drop;

    protected DatabaseProvider Provider { get; } = provider;
    protected string ConnectionString { get; private set; } = "";
    protected PortalHarness Portal { get; set; } = null!;

    protected virtual TimeSpan DemoDuration => TimeSpan.FromSeconds(2);

    /// <summary>The clock the portal uses; null for real time (shiftable through <see cref="PortalHarness.Time"/>).</summary>
    protected virtual TimeProvider? Clock => null;
    /// <summary>Extra configuration for the harness, read before <see cref="InitializeAsync"/> starts it.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Registrations added after the portal's own (fakes behind an interface), read before <see cref="InitializeAsync"/> starts the harness.</summary>
    protected virtual void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        (ConnectionString, _drop) = await TestDatabases.CreateAsync(Provider);
        Portal = await PortalHarness.StartAsync(Provider, ConnectionString, DemoDuration, clock: Clock, settings: Settings, configure: ConfigureServices);
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        if (_drop is not null) await _drop();
    }
}
