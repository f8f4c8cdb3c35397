using System.Collections.Concurrent;
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

namespace MigrationPortal.VSphere.Tests.Lab;

/// <summary>
/// One "portal process" for the vSphere tests: the real infrastructure and use cases (the same DI as the web host) on a
/// SQLite file, with the vsphere connector talking to a simulator. Disposing it and starting another on the same file
/// simulates a restart. Hangfire is replaced by a recorder; the test runs the migration job itself.
/// </summary>
public sealed class VSpherePortal : IAsyncDisposable
{
    public static readonly PortalUser Admin = new("u-adam", "Adam Admin", new HashSet<string> { Roles.Administrator }, new HashSet<string>());
    public static readonly PortalUser Operator = new("u-olga", "Olga Operator", new HashSet<string> { Roles.Operator }, new HashSet<string>());

    private readonly ServiceProvider _services;

    private VSpherePortal(ServiceProvider services, string databaseFile, ShiftableTimeProvider time, RecordingJobs jobs)
    {
        _services = services;
        DatabaseFile = databaseFile;
        Time = time;
        Jobs = jobs;
    }

    public string DatabaseFile { get; }

    /// <summary>Delete the database file on dispose (true when this portal created it; a "restart" test hands it over).</summary>
    public bool OwnsDatabase { get; set; }

    public ShiftableTimeProvider Time { get; }
    public RecordingJobs Jobs { get; }

    public static async Task<VSpherePortal> StartAsync(string? databaseFile = null, ShiftableTimeProvider? time = null, IDictionary<string, string?>? settings = null)
    {
        var owns = databaseFile is null;
        databaseFile ??= Path.Combine(Path.GetTempPath(), $"mp-vsphere-{Guid.NewGuid():N}.db");
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={databaseFile};Default Timeout=30",
            ["Demo:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortalInfrastructure(configuration);
        services.AddPortalUseCases();
        time ??= new ShiftableTimeProvider();
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        var jobs = new RecordingJobs();
        services.Replace(ServiceDescriptor.Singleton<IMigrationJobs>(jobs));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var portal = new VSpherePortal(provider, databaseFile, time, jobs) { OwnsDatabase = owns };
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

    /// <summary>Adds a vsphere connection to the lab through the admin use case; by default it pins the lab's certificate.</summary>
    public async Task<Guid> AddConnectionAsync(VcsimLab lab, string? password = VcsimLab.Password, string? pin = "lab", string? caPem = null, string name = "vcsim", Uri? endpoint = null)
    {
        var view = await Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(null, name, ConnectionKinds.VSphere,
            (endpoint ?? lab.SdkUrl).ToString(), VcsimLab.User, password, pin == "lab" ? lab.Thumbprint : pin, false, caPem)));
        return view.Id;
    }

    public Task EditConnectionAsync(Guid id, VcsimLab lab, string? password = null, string? pin = "lab", Uri? endpoint = null) =>
        Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(id, "vcsim", ConnectionKinds.VSphere,
            (endpoint ?? lab.SdkUrl).ToString(), VcsimLab.User, password, pin == "lab" ? lab.Thumbprint : pin, false)));

    public Task<SyncInventory.Result> SyncAsync(Guid connectionId) => Scoped<SyncInventory, SyncInventory.Result>(u => u.HandleAsync(Admin, connectionId));

    public Task AutoApproveAllAsync() => Scoped<SetApprovalRules>(u => u.HandleAsync(Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));

    /// <summary>Submits a move of a VM (by name) to a host and/or datastore (by name), looking up the inventory IDs the portal synced.</summary>
    public async Task<RequestSummary> SubmitAsync(string vmName, MigrationKind kind, string? hostName, string? datastoreName, bool snapshot = true, bool encryption = true)
    {
        var vm = await Db(db => db.Vms.FirstAsync(v => v.Name == vmName));
        var hostId = hostName is null ? null : await Db(db => db.Hosts.Where(h => h.Name == hostName).Select(h => h.ExternalId).FirstAsync());
        var datastoreId = datastoreName is null ? null : await Db(db => db.Datastores.Where(d => d.Name == datastoreName).Select(d => d.ExternalId).FirstAsync());
        return await Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Admin,
            new SubmitRequest.Command(vm.Id, kind, true, hostId, datastoreId, "Lab test move", TakeSnapshot: snapshot, RequireEncryption: encryption)));
    }

    /// <summary>Dispatches due requests (as the Hangfire dispatcher would) and runs the migration job.</summary>
    public async Task RunAsync(Guid requestId, CancellationToken ct = default)
    {
        await Scoped<DispatchDueRequests>(d => d.HandleAsync(ct));
        await Scoped<RunMigration>(r => r.HandleAsync(requestId, ct));
    }

    public Task<RequestDetails> GetAsync(Guid requestId) => Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Admin, requestId));

    public Task<MigrationRequest> RequestAsync(Guid requestId) => Db(db => db.Requests.AsNoTracking().FirstAsync(r => r.Id == requestId));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (OwnsDatabase) DeleteDatabase(DatabaseFile);
    }

    /// <summary>Deletes the database file (call after the last portal on it is disposed).</summary>
    public static void DeleteDatabase(string file)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
    }

    /// <summary>Waits on state, with a wall-clock cap.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var cap = within ?? TimeSpan.FromSeconds(30);
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > cap) throw new TimeoutException($"The condition did not hold within {cap.TotalSeconds:0} s.");
            await Task.Delay(50);
        }
    }
}

/// <summary>Stands in for Hangfire: records what would be queued.</summary>
public sealed class RecordingJobs : IMigrationJobs
{
    public ConcurrentQueue<Guid> Runs { get; } = new();
    public void EnqueueSync(Guid connectionId) { }


    public void EnqueueRun(Guid requestId) => Runs.Enqueue(requestId);

    public void NudgeDispatcher()
    {
    }
}

/// <summary>Real time plus an offset the test can move forward (to pass the stale-heartbeat limit after a "crash").</summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}

/// <summary>A simulator and a portal on a fresh database, connected and synced: the starting point of most tests.</summary>
public sealed class LabSession : IAsyncDisposable
{
    private LabSession(VcsimLab lab, VSpherePortal portal, Guid connectionId)
    {
        Lab = lab;
        Portal = portal;
        ConnectionId = connectionId;
    }

    public VcsimLab Lab { get; }
    public VSpherePortal Portal { get; set; }
    public Guid ConnectionId { get; }

    public static async Task<LabSession> StartAsync(TimeSpan? taskDuration = null, IDictionary<string, string?>? settings = null, int clusters = 2, int hostsPerCluster = 3, int vmsPerCluster = 2)
    {
        var lab = await VcsimLab.StartAsync(clusters, hostsPerCluster, vmsPerCluster, taskDuration: taskDuration);
        try
        {
            var portal = await VSpherePortal.StartAsync(settings: settings);
            var connectionId = await portal.AddConnectionAsync(lab);
            await portal.SyncAsync(connectionId);
            await portal.AutoApproveAllAsync();
            return new LabSession(lab, portal, connectionId);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Lab.DisposeAsync();
    }
}
