using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Testing;

/// <summary>
/// One "portal process" for tests: the real infrastructure and use cases, wired as the web host wires them, on a real
/// database. Only Hangfire is replaced (by <see cref="RecordingJobs"/>, so a test runs the jobs itself) and the clock (a
/// <see cref="ShiftableTimeProvider"/> unless the test brings its own). Disposing it and starting another on the same
/// database simulates a restart. Each test project derives its lab's portal from it (the demo world, vcsim, libvirt).
/// </summary>
/// <remarks>
/// The beat of a test, after CleanArchitecture's functional tests: <c>RunAs(user).SendAsync&lt;UseCase, Result&gt;(…)</c>,
/// then read back what changed with <see cref="FindAsync{T}"/> or <see cref="Db{TResult}"/>. Each call gets its own DI
/// scope (its own DbContext), as one web request would.
/// </remarks>
public class TestPortal : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    protected TestPortal(TestPortalOptions options)
    {
        Options = options;
        Time = options.Time ?? new ShiftableTimeProvider();
        Jobs = new RecordingJobs();
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = options.Provider.ToString(),
            ["Database:ConnectionString"] = options.ConnectionString,
            // A week of demo load is about 130,000 rows per start; the tests that look at load turn it back on.
            ["Demo:BackfillUtilisation"] = "false",
        };
        foreach (var (key, value) in options.Settings) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortalInfrastructure(configuration);
        services.AddPortalUseCases();
        // A test that moves time itself (FakeTimeProvider) passes its clock; the others get real time they can shift.
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(options.Clock ?? Time));
        services.Replace(ServiceDescriptor.Singleton<IMigrationJobs>(Jobs));
        // Last, so a test's fakes win over the real registrations.
        options.Configure?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public TestPortalOptions Options { get; }
    public DatabaseProvider Provider => Options.Provider;
    public string ConnectionString => Options.ConnectionString;
    public ShiftableTimeProvider Time { get; }
    public RecordingJobs Jobs { get; }

    /// <summary>A portal with no lab of its own (for example a client of a database that portal nodes already run on).</summary>
    public static async Task<TestPortal> StartAsync(TestPortalOptions options)
    {
        var portal = new TestPortal(options);
        await portal.InitializeAsync();
        return portal;
    }

    /// <summary>Migrates and seeds the database as the web host does at start; a lab's portal adds its own set-up after it.</summary>
    protected virtual async Task InitializeAsync()
    {
        if (Options.InitializeDatabase) await Scoped<DatabaseInitializer>(i => i.InitializeAsync());
    }

    public PortalActor RunAs(PortalUser user) => new(this, user);

    /// <summary>A DI scope of this portal, for tests that hold two units of work at once (two dispatchers).</summary>
    public AsyncServiceScope CreateScope() => _services.CreateAsyncScope();

    public async Task Scoped<T>(Func<T, Task> action) where T : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<T>());
    }

    public async Task<TResult> Scoped<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<T>());
    }

    public Task<TResult> Db<TResult>(Func<PortalDbContext, Task<TResult>> query) => Scoped(query);

    /// <summary>
    /// Records a test user as an Entra ID user the portal has seen at sign-in, so they can be made an application's owner (an
    /// unknown user is refused).
    /// </summary>
    public Task KnowUserAsync(PortalUser user) => Scoped<PortalDbContext>(async db =>
    {
        if (await db.DirectoryContacts.AnyAsync(c => c.UserId == user.Id)) return;
        db.DirectoryContacts.Add(new MigrationPortal.Application.Notifications.DirectoryContact { UserId = user.Id, DisplayName = user.Name, Roles = string.Join(',', user.Roles), SeenAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
    });

    /// <summary>An entity by its key, read in a fresh DbContext (so it shows what is committed now), or null.</summary>
    public Task<T?> FindAsync<T>(params object[] keys) where T : class => Db(db => db.FindAsync<T>(keys).AsTask());

    /// <summary>A request with its steps, as committed now.</summary>
    public Task<MigrationRequest> RequestAsync(Guid id) => Db(db => db.Requests.AsNoTracking().Include(r => r.Steps).FirstAsync(r => r.Id == id));

    /// <summary>A request as its page shows it (read as the Admin, who may see every request).</summary>
    public Task<RequestDetails> DetailsAsync(Guid id) => RunAs(TestUsers.Admin).SendAsync<GetRequest, RequestDetails>((u, user) => u.HandleAsync(user, id));

    public Task<SyncInventory.Result> SyncAsync(Guid connectionId) =>
        RunAs(TestUsers.Admin).SendAsync<SyncInventory, SyncInventory.Result>((u, user) => u.HandleAsync(user, connectionId));

    /// <summary>What the dispatcher and the Hangfire job would do: schedule the approved request and run it.</summary>
    public async Task RunAsync(Guid requestId, CancellationToken ct = default)
    {
        await Scoped<DispatchDueRequests>(d => d.HandleAsync(ct));
        await Scoped<RunMigration>(r => r.HandleAsync(requestId, ct));
    }

    /// <summary>
    /// Waits (30 s unless told otherwise) until the request's transfer has started, that is until its operation ID is saved.
    /// Given the run that should start it, a run that ended first is awaited, so its own failure is what the test reports.
    /// </summary>
    public Task WaitForOperationIdAsync(Guid requestId, Task? run = null, TimeSpan? limit = null) =>
        Eventually.TrueAsync(async () =>
        {
            if (run is { IsCompleted: true }) await run;
            return await Db(db => db.Requests.AsNoTracking().AnyAsync(r => r.Id == requestId && r.OperationId != null));
        }, limit ?? TimeSpan.FromSeconds(30), $"the transfer of request {requestId} to start (its operation ID saved)");

    public virtual async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
    }
}
