using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The libvirt tests' portal: <see cref="TestPortal"/> (the real infrastructure and use cases, the libvirt connector
/// included) on a SQLite file, plus the steps that connect it to the two-host lab. Building a second one on the same file
/// is a restart.
/// </summary>
public sealed class LabPortal : TestPortal
{
    // Declared here (not only inherited) so `using static LabPortal` keeps bringing them into scope.
    public static readonly PortalUser Requester = TestUsers.Requester;
    public static readonly PortalUser Operator = TestUsers.Operator;
    public static readonly PortalUser Admin = TestUsers.Admin;
    public const string ConnectionName = "kvm-lab";

    private LabPortal(TestPortalOptions options, string databaseFile) : base(options) => DatabaseFile = databaseFile;

    public string DatabaseFile { get; }

    public static PortalUser User(string id, string name, params string[] roles) => TestUsers.User(id, name, roles);

    public static async Task<LabPortal> StartAsync(string databaseFile, IDictionary<string, string?>? settings = null, TimeSpan? clockOffset = null)
    {
        var values = new Dictionary<string, string?> { ["Approvals:ExpireAfter"] = "01:00:00" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var time = new ShiftableTimeProvider();
        if (clockOffset is { } offset) time.Advance(offset);
        var portal = new LabPortal(TestPortalOptions.SqliteFile(databaseFile) with { Settings = values, Time = time }, databaseFile);
        await portal.InitializeAsync();
        return portal;
    }

    /// <summary>
    /// The administrator adds the lab as a libvirt connection (both hosts by their local sockets, the lab's CA and client
    /// certificate), syncs it, lets Rita own the guest's application and sets an auto-approve policy.
    /// </summary>
    public async Task<Guid> AddLabConnectionAsync(LibvirtLab lab, bool allowUnencrypted = false)
    {
        var pem = (string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);
        var connection = await RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(null, ConnectionName, ConnectionKinds.Libvirt,
            $"{lab.AUri}\n{lab.BUri}", null, null, null, allowUnencrypted, pem("LIBVIRT_LAB_CA_CERT"), pem("LIBVIRT_LAB_CLIENT_CERT"), pem("LIBVIRT_LAB_CLIENT_KEY"))));
        await SyncAsync(connection.Id);
        await OwnGuestApplicationAndAutoApproveAsync();
        return connection.Id;
    }

    /// <summary>Rita owns the synced guest's application, and every request is approved automatically.</summary>
    public async Task OwnGuestApplicationAndAutoApproveAsync()
    {
        var app = await Db(db => db.Applications.FirstAsync(a => a.Name == Environment.GetEnvironmentVariable("LIBVIRT_LAB_GUEST_APP")));
        await KnowUserAsync(Requester);
        await RunAs(Admin).SendAsync<SetApplicationOwners>((u, user) => u.HandleAsync(user, new SetApplicationOwners.Command(app.Id, "prod", "high", [new(OwnerKind.User, Requester.Id)])));
        await RunAs(Admin).SendAsync<SetApprovalRules>((u, user) => u.HandleAsync(user, [new SetApprovalRules.Rule("lab: auto", ApprovalOutcome.AutoApprove)]));
    }

    public Task<InventoryVm> GuestAsync(LibvirtLab lab) => Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.Name == lab.Guest));

    public Task<RequestSummary> SubmitAsync(Guid vmId, MigrationKind kind, string? hostId, string? datastoreId, bool snapshot = false, bool encrypted = true) =>
        RunAs(Requester).SendAsync<SubmitRequest, RequestSummary>((u, user) => u.HandleAsync(user,
            new SubmitRequest.Command(vmId, kind, true, hostId, datastoreId, "Lab test move", TakeSnapshot: snapshot, RequireEncryption: encrypted)));

    public Task<List<string>> AuditDetailsAsync(Guid requestId) => Db(db => db.AuditEvents.Where(e => e.RequestId == requestId).OrderBy(e => e.Sequence).Select(e => e.Details).ToListAsync());

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // The crash test's child process and the next portal open the same file; release this one's pooled handles.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
