using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.VSphere.Tests.Lab;

/// <summary>
/// The vSphere tests' portal: <see cref="TestPortal"/> (the real infrastructure and use cases, the same DI as the web host)
/// on a SQLite file, with the demo world off and the vsphere connector talking to a simulator. Disposing it and starting
/// another on the same file simulates a restart.
/// </summary>
public sealed class VSpherePortal : TestPortal
{
    public static readonly PortalUser Admin = TestUsers.Admin;
    public static readonly PortalUser Operator = TestUsers.Operator;

    private VSpherePortal(TestPortalOptions options, string databaseFile) : base(options) => DatabaseFile = databaseFile;

    public string DatabaseFile { get; }

    /// <summary>Delete the database file on dispose (true when this portal created it; a "restart" test hands it over).</summary>
    public bool OwnsDatabase { get; set; }

    public static async Task<VSpherePortal> StartAsync(string? databaseFile = null, ShiftableTimeProvider? time = null, IDictionary<string, string?>? settings = null)
    {
        var owns = databaseFile is null;
        databaseFile ??= Path.Combine(Path.GetTempPath(), $"mp-vsphere-{Guid.NewGuid():N}.db");
        var values = new Dictionary<string, string?> { ["Demo:Enabled"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var portal = new VSpherePortal(TestPortalOptions.SqliteFile(databaseFile) with { Settings = values, Time = time }, databaseFile) { OwnsDatabase = owns };
        await portal.InitializeAsync();
        return portal;
    }

    /// <summary>Adds a vsphere connection to the lab through the admin use case; by default it pins the lab's certificate.</summary>
    public async Task<Guid> AddConnectionAsync(VcsimLab lab, string? password = VcsimLab.Password, string? pin = "lab", string? caPem = null, string name = "vcsim", Uri? endpoint = null)
    {
        var view = await RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(null, name, ConnectionKinds.VSphere,
            (endpoint ?? lab.SdkUrl).ToString(), VcsimLab.User, password, pin == "lab" ? lab.Thumbprint : pin, false, caPem)));
        return view.Id;
    }

    public Task EditConnectionAsync(Guid id, VcsimLab lab, string? password = null, string? pin = "lab", Uri? endpoint = null) =>
        RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(id, "vcsim", ConnectionKinds.VSphere,
            (endpoint ?? lab.SdkUrl).ToString(), VcsimLab.User, password, pin == "lab" ? lab.Thumbprint : pin, false)));

    public Task AutoApproveAllAsync() =>
        RunAs(Admin).SendAsync<SetApprovalRules>((u, user) => u.HandleAsync(user, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));

    /// <summary>Submits a move of a VM (by name) to a host and/or datastore (by name), looking up the inventory IDs the portal synced.</summary>
    public async Task<RequestSummary> SubmitAsync(string vmName, MigrationKind kind, string? hostName, string? datastoreName, bool snapshot = true, bool encryption = true)
    {
        var vm = await Db(db => db.Vms.FirstAsync(v => v.Name == vmName));
        var hostId = hostName is null ? null : await Db(db => db.Hosts.Where(h => h.Name == hostName).Select(h => h.ExternalId).FirstAsync());
        var datastoreId = datastoreName is null ? null : await Db(db => db.Datastores.Where(d => d.Name == datastoreName).Select(d => d.ExternalId).FirstAsync());
        return await RunAs(Admin).SendAsync<SubmitRequest, RequestSummary>((u, user) => u.HandleAsync(user,
            new SubmitRequest.Command(vm.Id, kind, true, hostId, datastoreId, "Lab test move", TakeSnapshot: snapshot, RequireEncryption: encryption)));
    }

    /// <summary>The request as its page shows it (the name the vSphere tests use for <see cref="TestPortal.DetailsAsync"/>).</summary>
    public Task<RequestDetails> GetAsync(Guid requestId) => DetailsAsync(requestId);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsDatabase) DeleteDatabase(DatabaseFile);
    }

    /// <summary>Deletes the database file (call after the last portal on it is disposed).</summary>
    public static void DeleteDatabase(string file) => TestDatabases.DeleteSqliteFile(file);

    /// <summary>Waits on state for 30 s unless told otherwise; kept for callers that predate <see cref="Eventually"/>, which new code uses directly.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null) =>
        Eventually.TrueAsync(condition, within ?? TimeSpan.FromSeconds(30), "a condition of a vSphere test", TimeSpan.FromMilliseconds(50));
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
