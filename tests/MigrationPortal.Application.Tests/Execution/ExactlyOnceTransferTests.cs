using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// Issue 11 §3: the transfer reaches the hypervisor exactly once. The intent is saved before the start call; a run that
/// finds it without an operation ID asks the hypervisor (the demo's task table) and adopts, starts, or stops for an
/// Operator. Counted on the scripted demo hypervisor: start calls, demo tasks and snapshots.
/// </summary>
public abstract class ExactlyOnceTransferTests(DatabaseProvider provider) : ScriptedRunTestBase(provider)
{
    private readonly OperationIdSaveRefusal _refusal = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.ConfigureDbContext<PortalDbContext>((_, options) => options.AddInterceptors(_refusal));
    }

    [Fact]
    public async Task RunMigration_StartsOneTransferAndTakesOneSnapshot_WhenTheDatabaseRefusesToSaveTheOperationId()
    {
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);
        _refusal.Armed = true;

        // The hypervisor accepted the start; the save of its reply failed, so the job fails and Hangfire retries it.
        await Assert.ThrowsAnyAsync<Exception>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));
        Assert.False(_refusal.Armed);
        var between = await LoadAsync(request);
        Assert.Equal(RequestState.Running, between.State);
        Assert.NotNull(between.TransferIntentAt);
        Assert.Null(between.OperationId);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        Assert.Equal(1, Script.Starts);
        Assert.Equal(1, await Portal.Db(db => db.DemoTasks.CountAsync(t => t.VmId == vm.ExternalId)));
        Assert.Equal(stored.OperationId, await Portal.Db(db => db.DemoTasks.Where(t => t.VmId == vm.ExternalId).Select(t => t.Id).SingleAsync()));
        Assert.Equal(1, Script.Snapshots);
        Assert.Equal(1, Script.SnapshotRemovals);
        Assert.Null(await Portal.Db(db => db.DemoVms.Where(d => d.Id == vm.ExternalId).Select(d => d.SnapshotId).FirstAsync()));
        Assert.True(await AuditedAsync(request, "Adopted hypervisor operation"));
    }

    [Fact]
    public async Task RunMigration_StartsTheTransferOnce_WhenTheRunDiedAfterTheIntentBeforeTheStartCall()
    {
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);
        Script.FailBeforeStart = () => new InvalidOperationException("The node died before the start call.");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));
        Assert.NotNull((await LoadAsync(request)).TransferIntentAt);
        Assert.Equal(0, Script.Starts);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        Assert.Equal(RequestState.Succeeded, (await LoadAsync(request)).State);
        Assert.Equal(1, Script.Finds);
        Assert.Equal(1, Script.Starts);
        Assert.Equal(1, Script.Snapshots);
        Assert.Equal(1, await Portal.Db(db => db.DemoTasks.CountAsync(t => t.VmId == vm.ExternalId)));
        Assert.True(await AuditedAsync(request, "which is not a second start"));
    }

    [Fact]
    public async Task RunMigration_NeedsAttentionWithoutASecondTransfer_WhenTheHypervisorCannotSay_AndCheckAgainFinishesIt()
    {
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);
        Script.FailStart = () => new InvalidOperationException("The reply to the start call was lost.");
        Script.FindAnswer = () => OperationLookup.Unknown("Demo: the task history does not reach back that far.");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var waiting = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Operator, request));
        Assert.Equal(RequestState.NeedsAttention, waiting.Summary.State);
        Assert.Contains("task history does not reach back", waiting.AttentionReason);
        Assert.True(waiting.Actions.Recheck);
        Assert.False((await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Requester, request))).Actions.Recheck);
        Assert.Equal(1, Script.Starts);
        // Still the VM's active request, still holding its capacity: a transfer may be running that the portal cannot see.
        Assert.True(await Portal.Db(db => db.CapacitySlots.AnyAsync(s => s.RequestId == request)));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        Assert.True(await Portal.Db(db => db.CapacitySlots.AnyAsync(s => s.RequestId == request)));

        // A job that comes by meanwhile (reconciliation, a retry) leaves it to the Operator.
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));
        Assert.Equal(RequestState.NeedsAttention, (await LoadAsync(request)).State);
        Assert.Equal(1, Script.Starts);

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<RecheckRequest, RequestSummary>(u => u.HandleAsync(Requester, new RecheckRequest.Command(request, "looked"))));
        Script.FindAnswer = null; // the hypervisor answers again: the demo's task table
        await Portal.Scoped<RecheckRequest, RequestSummary>(u => u.HandleAsync(Operator, new RecheckRequest.Command(request, "vCenter shows the relocate task")));
        Assert.Contains(request, Portal.Jobs.Runs);
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        Assert.Null(stored.AttentionReason);
        Assert.Equal(1, Script.Starts);
        Assert.Equal(1, await Portal.Db(db => db.DemoTasks.CountAsync(t => t.VmId == vm.ExternalId)));
        Assert.Equal(1, Script.Snapshots);
        Assert.True(await AuditedAsync(request, "Check again: vCenter shows the relocate task"));
        var again = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<RecheckRequest, RequestSummary>(u => u.HandleAsync(Operator, new RecheckRequest.Command(request, "again"))));
        Assert.True(again.Errors.ContainsKey("State"));
    }

    private Task<bool> AuditedAsync(Guid request, string text) =>
        Portal.Db(db => db.AuditEvents.AsNoTracking().AnyAsync(e => e.RequestId == request && e.Details.Contains(text)));
}

/// <summary>The database refuses, once, the save that records a request's operation ID (SQLite's "database is locked" after 30 s).</summary>
public sealed class OperationIdSaveRefusal : SaveChangesInterceptor
{
    private int _armed;

    public bool Armed
    {
        get => Volatile.Read(ref _armed) == 1;
        set => Volatile.Write(ref _armed, value ? 1 : 0);
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var settingOperation = eventData.Context?.ChangeTracker.Entries<MigrationRequest>()
            .Any(e => e.Property(r => r.OperationId).IsModified && e.Property(r => r.OperationId).CurrentValue is not null) == true;
        if (settingOperation && Interlocked.CompareExchange(ref _armed, 0, 1) == 1)
            throw new DbUpdateException("Simulated: database is locked; the operation ID was not saved.");
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }
}

public sealed class SqliteExactlyOnceTransferTests() : ExactlyOnceTransferTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlExactlyOnceTransferTests() : ExactlyOnceTransferTests(DatabaseProvider.PostgreSql);
