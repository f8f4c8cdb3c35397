using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// One "portal process" on a SQLite file: the real infrastructure (the libvirt connector included) and the real use
/// cases, as the web host wires them; only Hangfire is replaced by a recorder, so a test runs the jobs itself.
/// Building a second one on the same file is a restart.
/// </summary>
public sealed class LabPortal : IAsyncDisposable
{
    public static readonly PortalUser Requester = User("u-rita", "Rita Requester", Roles.Requester);
    public static readonly PortalUser Operator = User("u-olga", "Olga Operator", Roles.Operator);
    public static readonly PortalUser Admin = User("u-adam", "Adam Admin", Roles.Administrator);
    public const string ConnectionName = "kvm-lab";

    private readonly ServiceProvider _services;

    private LabPortal(ServiceProvider services, string databaseFile, ShiftableTimeProvider time, RecordingJobs jobs)
    {
        _services = services;
        DatabaseFile = databaseFile;
        Time = time;
        Jobs = jobs;
    }

    public string DatabaseFile { get; }
    public ShiftableTimeProvider Time { get; }
    public RecordingJobs Jobs { get; }

    public static PortalUser User(string id, string name, params string[] roles) => new(id, name, new HashSet<string>(roles), new HashSet<string>());

    public static async Task<LabPortal> StartAsync(string databaseFile, IDictionary<string, string?>? settings = null, TimeSpan? clockOffset = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={databaseFile};Default Timeout=30",
            ["Approvals:ExpireAfter"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortalInfrastructure(configuration);
        services.AddPortalUseCases();
        var time = new ShiftableTimeProvider();
        if (clockOffset is { } offset) time.Advance(offset);
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        var jobs = new RecordingJobs();
        services.Replace(ServiceDescriptor.Singleton<IMigrationJobs>(jobs));
        var portal = new LabPortal(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), databaseFile, time, jobs);
        await portal.Scoped<DatabaseInitializer>(i => i.InitializeAsync());
        return portal;
    }

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
    /// The administrator adds the lab as a libvirt connection (both hosts by their local sockets, the lab's CA and client
    /// certificate), syncs it, lets Rita own the guest's application and sets an auto-approve policy.
    /// </summary>
    public async Task<Guid> AddLabConnectionAsync(LibvirtLab lab, bool allowUnencrypted = false)
    {
        var pem = (string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);
        var connection = await Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(null, ConnectionName, ConnectionKinds.Libvirt,
            $"{lab.AUri}\n{lab.BUri}", null, null, null, allowUnencrypted, pem("LIBVIRT_LAB_CA_CERT"), pem("LIBVIRT_LAB_CLIENT_CERT"), pem("LIBVIRT_LAB_CLIENT_KEY"))));
        await SyncAsync(connection.Id);
        await OwnGuestApplicationAndAutoApproveAsync();
        return connection.Id;
    }

    /// <summary>Rita owns the synced guest's application, and every request is approved automatically.</summary>
    public async Task OwnGuestApplicationAndAutoApproveAsync()
    {
        var app = await Db(db => db.Applications.FirstAsync(a => a.Name == Environment.GetEnvironmentVariable("LIBVIRT_LAB_GUEST_APP")));
        await Scoped<SetApplicationOwners>(u => u.HandleAsync(Admin, new SetApplicationOwners.Command(app.Id, "prod", "high", [new(OwnerKind.User, Requester.Id)])));
        await Scoped<SetApprovalRules>(u => u.HandleAsync(Admin, [new SetApprovalRules.Rule("lab: auto", ApprovalOutcome.AutoApprove)]));
    }

    public Task<SyncInventory.Result> SyncAsync(Guid connectionId) => Scoped<SyncInventory, SyncInventory.Result>(u => u.HandleAsync(Admin, connectionId));

    public Task<InventoryVm> GuestAsync(LibvirtLab lab) => Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.Name == lab.Guest));

    public Task<RequestSummary> SubmitAsync(Guid vmId, MigrationKind kind, string? hostId, string? datastoreId, bool snapshot = false, bool encrypted = true) =>
        Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vmId, kind, true, hostId, datastoreId, "Lab test move", TakeSnapshot: snapshot, RequireEncryption: encrypted)));

    /// <summary>What the dispatcher and the Hangfire job would do: schedule the approved request and run it.</summary>
    public async Task RunAsync(Guid requestId, CancellationToken ct = default)
    {
        await Scoped<DispatchDueRequests>(d => d.HandleAsync(ct));
        await Scoped<RunMigration>(r => r.HandleAsync(requestId, ct));
    }

    public Task<MigrationRequest> RequestAsync(Guid id) => Db(db => db.Requests.AsNoTracking().Include(r => r.Steps).FirstAsync(r => r.Id == id));

    public Task<RequestDetails> DetailsAsync(Guid id) => Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Admin, id));

    public Task<List<string>> AuditDetailsAsync(Guid requestId) => Db(db => db.AuditEvents.Where(e => e.RequestId == requestId).OrderBy(e => e.Sequence).Select(e => e.Details).ToListAsync());

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

/// <summary>Stands in for Hangfire: records what would be queued.</summary>
public sealed class RecordingJobs : IMigrationJobs
{
    public System.Collections.Concurrent.ConcurrentQueue<Guid> Runs { get; } = new();
    public void EnqueueSync(Guid connectionId) { }


    public void EnqueueRun(Guid requestId) => Runs.Enqueue(requestId);

    public void NudgeDispatcher()
    {
    }
}

/// <summary>Real time plus an offset a test can move forward ("the portal restarted later").</summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
