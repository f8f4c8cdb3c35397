using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// Issue 11 §4: a cancel the hypervisor refuses is asked again a bounded number of times and then recorded with the
/// hypervisor's reason; a verified move updates the VM's inventory row at once; "Sync now" and a new connection queue a
/// sync. The hypervisor is the demo world behind a connector that refuses cancels on demand. Runs once per provider.
/// </summary>
public abstract class CancelRefusalAndPlacementTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string RefusalReason = "The operation is not allowed in the current state.";

    private readonly CancelRefusals _refusals = new();

    // Long enough for every cancel attempt (one poll, 1 s, apart) to be made and refused before the transfer ends.
    protected override TimeSpan DemoDuration => TimeSpan.FromSeconds(7);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Execution:CancelAttempts"] = "3" };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(_refusals);
        services.AddScoped<DemoConnector>();
        services.AddKeyedScoped<IHypervisorConnector, CancelRefusingConnector>(ConnectionKinds.Demo);
    }

    [Fact]
    public async Task RunMigration_EndsSucceededWithTheRefusalRecorded_WhenTheHypervisorRefusesEveryCancel()
    {
        _refusals.RefuseFirst = int.MaxValue;
        var (request, vm, run) = await StartRunningMoveAsync(MigrationKind.Compute);

        await Portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(Operator, new CancelRequest.Command(request, "Wrong target")));
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        // Asked again after each refusal, and no more than the configured number of times.
        Assert.Equal(3, _refusals.Calls);
        var details = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(PortalHarness.Admin, request));
        // Documented choice: the transfer completed, so the request says Succeeded, but says so together with the refusal.
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        var final = details.Transitions.Last();
        Assert.Contains("cancel refused by Demo", final.Reason);
        Assert.Contains(RefusalReason, final.Reason);
        Assert.Contains("cancel refused by Demo", details.Steps.Single(s => s.Name == "transfer").Message);
        Assert.NotNull(details.CancelRefusal);
        Assert.Contains(RefusalReason, details.CancelRefusal);

        var audit = await Portal.Db(db => db.AuditEvents.AsNoTracking().Where(e => e.RequestId == request).OrderBy(e => e.Sequence).ToListAsync());
        var refused = Assert.Single(audit, e => e.Action == AuditActions.RequestCancelRefused);
        Assert.Contains(RefusalReason, refused.Details);
        Assert.Equal(2, audit.Count(e => e.Action == AuditActions.JobStep && e.Details.Contains("cancel-retry")));
        Assert.Contains(audit, e => e.Action == AuditActions.RequestTransition && e.Details.Contains("cancel refused by Demo"));
        Assert.NotEqual(vm.HostExternalId, await DemoHostOfAsync(vm.ExternalId));
    }

    [Fact]
    public async Task RunMigration_EndsCancelled_WhenTheHypervisorRefusesTheFirstCancelAndAcceptsTheNext()
    {
        _refusals.RefuseFirst = 1;
        var (request, vm, run) = await StartRunningMoveAsync(MigrationKind.Compute);

        await Portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(Operator, new CancelRequest.Command(request, "Wrong target")));
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, _refusals.Calls);
        var details = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(PortalHarness.Admin, request));
        Assert.Equal(RequestState.Cancelled, details.Summary.State);
        Assert.Equal(vm.HostExternalId, await DemoHostOfAsync(vm.ExternalId));
        var retry = await Portal.Db(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.RequestId == request && e.Action == AuditActions.JobStep && e.Details.Contains("cancel-retry")));
        Assert.Contains(RefusalReason, retry.Details);
    }

    [Fact]
    public async Task RunMigration_UpdatesTheVmRowToItsNewHostDatastoreAndEncryption_WhenVerificationPasses()
    {
        var (request, vm, run) = await StartRunningMoveAsync(MigrationKind.ComputeAndStorage);
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RequestState.Succeeded, (await Portal.Db(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == request))).State);
        var world = await Portal.Db(db => db.DemoVms.AsNoTracking().SingleAsync(v => v.Id == vm.ExternalId));
        var row = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.Id == vm.Id));
        Assert.NotEqual(vm.HostExternalId, row.HostExternalId);
        Assert.Equal(world.HostId, row.HostExternalId);
        Assert.Equal(DemoWorldShape.Hosts.Single(h => h.Id == world.HostId).Name, row.HostName);
        Assert.NotEqual(vm.Datastores, row.Datastores);
        Assert.Equal(world.Datastore, row.Datastores);
        Assert.Equal("required", row.MigrateEncryption);
    }

    [Fact]
    public async Task SyncNow_QueuesASyncAndAuditsIt_ForOperator_AndIsRefusedForRequester()
    {
        var connection = await Portal.Db(db => db.Connections.Where(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync());

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SyncNow, SyncNow.Accepted>(u => u.HandleAsync(Requester, connection)));
        Assert.Empty(Portal.Jobs.Syncs);
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<SyncNow, SyncNow.Accepted>(u => u.HandleAsync(Operator, Guid.NewGuid())));

        var accepted = await Portal.Scoped<SyncNow, SyncNow.Accepted>(u => u.HandleAsync(Operator, connection));

        Assert.Equal(connection, accepted.ConnectionId);
        Assert.Equal([connection], Portal.Jobs.Syncs.ToArray());
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.InventorySyncRequested && e.EntityId == connection.ToString() && e.ActorId == Operator.Id)));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.AccessDenied && e.ActorId == Requester.Id && e.Details.Contains("inventory.sync-now"))));
    }

    [Fact]
    public async Task SaveConnection_QueuesAFirstSyncAtOnce_WhenAConnectionIsAdded_AndNotOnEdit()
    {
        var added = await Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin,
            new SaveConnection.Command(null, "vc-lab", ConnectionKinds.VSphere, "https://vc-lab.example/sdk", "svc", "secret", null, false)));
        Assert.Equal([added.Id], Portal.Jobs.Syncs.ToArray());

        await Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin,
            new SaveConnection.Command(added.Id, "vc-lab-renamed", ConnectionKinds.VSphere, "https://vc-lab.example/sdk", "svc", null, null, false)));
        Assert.Single(Portal.Jobs.Syncs);
    }

    /// <summary>Submits an auto-approved move of one of Rita's powered-on VMs, dispatches it and starts its run; returns once the transfer is under way.</summary>
    private async Task<(Guid Request, InventoryVm Vm, Task Run)> StartRunningMoveAsync(MigrationKind kind)
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));
        var vm = await Portal.Db(db => db.Vms.AsNoTracking()
            .Where(v => v.PowerState == MigrationPortal.Domain.Inventory.PowerState.On && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());
        // Not yet "required", so the row can only read "required" afterwards if the portal took the hypervisor's new setting.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            await db.DemoVms.Where(v => v.Id == vm.ExternalId).ExecuteUpdateAsync(u => u.SetProperty(v => v.MigrateEncryption, "opportunistic"));
            await db.Vms.Where(v => v.Id == vm.Id).ExecuteUpdateAsync(u => u.SetProperty(v => v.MigrateEncryption, "opportunistic"));
        });
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).Select(h => h.ExternalId).FirstAsync());
        var store = kind.MovesStorage()
            ? DemoWorldShape.Datastores.First(d => d.Cluster == vm.ClusterName && !vm.Datastores.Split(',').Contains(d.Name)).Name
            : null;
        var submitted = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, kind, true, target, store, "Host firmware upgrade", TakeSnapshot: false)));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        var run = Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));
        await Portal.WaitForOperationIdAsync(submitted.Id, run); // a run that ended first surfaces its own failure

        return (submitted.Id, vm, run);
    }

    private Task<string> DemoHostOfAsync(string externalId) =>
        Portal.Db(db => db.DemoVms.Where(d => d.Id == externalId).Select(d => d.HostId).FirstAsync());
}

/// <summary>How many cancels the fake hypervisor refuses before it accepts one, and how many it was asked.</summary>
public sealed class CancelRefusals
{
    public int RefuseFirst;
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public bool Refuse() => Interlocked.Increment(ref _calls) <= RefuseFirst;
}

/// <summary>The demo hypervisor, except that it refuses a cancel the way vCenter does in a vMotion's switch-over.</summary>
public sealed class CancelRefusingConnector(DemoConnector demo, CancelRefusals refusals) : IHypervisorConnector
{
    public string Kind => demo.Kind;

    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) =>
        refusals.Refuse() ? throw new ConnectorException("InvalidState", "The operation is not allowed in the current state.") : demo.CancelTransferAsync(plan, operationId, ct);

    public Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct) => demo.TestConnectionAsync(connection, ct);
    public Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct) => demo.CollectInventoryAsync(connection, ct);
    public Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) => demo.PrecheckAsync(plan, ct);
    public Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct) => demo.CreateSnapshotAsync(plan, ct);
    public Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct) => demo.RemoveSnapshotAsync(plan, snapshotId, ct);
    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct) => demo.EnforceEncryptionAsync(plan, ct);
    public Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct) => demo.StartTransferAsync(plan, ct);
    public Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct) =>
        demo.WatchTransferAsync(plan, operationId, onProgress, ct);
    public Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct) => demo.GetOperationStateAsync(plan, operationId, ct);
    public Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct) => demo.VerifyAsync(plan, ct);
    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct) => demo.LocateAsync(plan, ct);
    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct) => demo.RollbackAsync(plan, ct);
    public Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct) => demo.FindOperationAsync(plan, startedAfter, ct);
    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) => demo.RemoveLeftoversAsync(plan, ending, ct);
}

public sealed class SqliteCancelRefusalAndPlacementTests() : CancelRefusalAndPlacementTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlCancelRefusalAndPlacementTests() : CancelRefusalAndPlacementTests(DatabaseProvider.PostgreSql);
