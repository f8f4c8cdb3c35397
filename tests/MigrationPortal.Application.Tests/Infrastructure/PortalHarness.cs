using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>
/// One "portal process" for use-case tests: the real infrastructure and use cases on a real database, with the labelled
/// demo connector as the hypervisor. Disposing it and building another on the same database simulates a restart.
/// </summary>
public sealed class PortalHarness : IAsyncDisposable
{
    public static readonly PortalUser Requester = User("u-rita", "Rita Requester", Roles.Requester);
    public static readonly PortalUser OtherRequester = User("u-otto", "Otto OtherApp", Roles.Requester);
    public static readonly PortalUser Approver1 = User("u-anna", "Anna Approver", Roles.Approver);
    public static readonly PortalUser Approver2 = User("u-ben", "Ben Approver", Roles.Approver);
    public static readonly PortalUser Operator = User("u-olga", "Olga Operator", Roles.Operator);
    public static readonly PortalUser Auditor = User("u-aldo", "Aldo Auditor", Roles.Auditor);
    public static readonly PortalUser Admin = User("u-adam", "Adam Admin", Roles.Administrator);

    public const string RequesterApp = "demo-payments";
    public const string OtherApp = "demo-crm";

    private readonly ServiceProvider _services;

    private PortalHarness(ServiceProvider services, ShiftableTimeProvider time, RecordingJobs jobs, DatabaseProvider provider, string connectionString)
    {
        _services = services;
        Time = time;
        Jobs = jobs;
        Provider = provider;
        ConnectionString = connectionString;
    }

    public ShiftableTimeProvider Time { get; }
    public RecordingJobs Jobs { get; }
    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    public static PortalUser User(string id, string name, params string[] roles) => new(id, name, new HashSet<string>(roles), new HashSet<string>());

    /// <param name="configure">Registrations a test adds after the portal's own, such as a fake connector under a kind's key.</param>
    /// <param name="settings">Extra configuration (for example the Smtp section), added over the harness's own.</param>
    public static async Task<PortalHarness> StartAsync(DatabaseProvider provider, string connectionString, TimeSpan? demoDuration = null, ShiftableTimeProvider? time = null,
        TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Demo:MigrationDuration"] = (demoDuration ?? TimeSpan.FromSeconds(2)).ToString(),
            ["Approvals:ExpireAfter"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortalInfrastructure(configuration);
        services.AddPortalUseCases();
        time ??= new ShiftableTimeProvider();
        // A test that moves time itself (FakeTimeProvider) passes its clock; the others get real time they can shift.
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock ?? time));
        var jobs = new RecordingJobs();
        services.Replace(ServiceDescriptor.Singleton<IMigrationJobs>(jobs));
        // Last, so a test's fakes (a connector that refuses a cancel) win over the real registrations.
        configure?.Invoke(services);
        var provider_ = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var harness = new PortalHarness(provider_, time, jobs, provider, connectionString);
        await harness.Scoped<DatabaseInitializer>(i => i.InitializeAsync());
        await harness.EnsureOwnersAsync();
        return harness;
    }

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

    /// <summary>Rita owns demo-payments directly; Otto owns demo-crm through a group.</summary>
    private async Task EnsureOwnersAsync()
    {
        await Scoped<PortalDbContext>(async db =>
        {
            var apps = await db.Applications.Include(a => a.Owners).ToListAsync();
            var payments = apps.Single(a => a.Name == RequesterApp);
            payments.AddOwner(OwnerKind.User, Requester.Id);
            payments.Environment = "prod";
            payments.Criticality = "high";
            apps.Single(a => a.Name == OtherApp).AddOwner(OwnerKind.Group, "crm-owners");
            if (!await db.GroupMemberships.AnyAsync(m => m.UserId == OtherRequester.Id))
                db.GroupMemberships.Add(new UserGroupMembership { UserId = OtherRequester.Id, Group = "crm-owners" });
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
