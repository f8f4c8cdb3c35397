using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>The request lifecycle end to end on a real database with the demo connector. Runs once per provider.</summary>
public abstract class RequestLifecycleTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override TimeSpan DemoDuration => TimeSpan.FromSeconds(3);

    private async Task<InventoryVm> RequesterVmAsync() => await Portal.Db(db =>
        db.Vms.Where(v => v.PowerState == PowerState.On && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());

    private async Task<string> OtherHostInClusterAsync(InventoryVm vm) => await Portal.Db(db =>
        db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).Select(h => h.ExternalId).FirstAsync());

    private Task SetPolicyAsync(params SetApprovalRules.Rule[] rules) => Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, rules));

    private async Task<RequestSummary> SubmitComputeMoveAsync(InventoryVm? vm = null)
    {
        vm ??= await RequesterVmAsync();
        var target = await OtherHostInClusterAsync(vm);
        return await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Host firmware upgrade")));
    }

    private async Task<RequestDetails> GetAsync(Guid id) => await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(PortalHarness.Admin, id));

    private async Task DispatchAndRunAsync(Guid id, CancellationToken ct = default)
    {
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync(ct));
        Assert.Contains(id, Portal.Jobs.Runs);
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(id, ct));
    }

    private async Task<string> DemoHostOfAsync(Guid vmId) => await Portal.Db(async db =>
    {
        var external = await db.Vms.Where(v => v.Id == vmId).Select(v => v.ExternalId).FirstAsync();
        return await db.DemoVms.Where(d => d.Id == external).Select(d => d.HostId).FirstAsync();
    });

    [Fact]
    public async Task Submit_AutoApprovesAndRunsToSucceeded_WhenPolicyAutoApproves()
    {
        await SetPolicyAsync(new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove));
        var vm = await RequesterVmAsync();
        var submitted = await SubmitComputeMoveAsync(vm);
        Assert.Equal(RequestState.Approved, submitted.State);
        Assert.True(submitted.IsDemo);

        await DispatchAndRunAsync(submitted.Id);

        var details = await GetAsync(submitted.Id);
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        Assert.Equal(await DemoHostOfAsync(vm.Id), (await Portal.Db(db => db.Requests.FirstAsync(r => r.Id == submitted.Id))).Target.HostId);
        Assert.All(details.Steps, s => Assert.Contains(s.Status, new[] { StepStatus.Succeeded, StepStatus.Skipped }));
        Assert.Contains("encryption", details.EncryptionApplied);
        Assert.Equal(100, details.Progress!.Percent);
        Assert.Equal(
            [RequestState.Submitted, RequestState.Approved, RequestState.Scheduled, RequestState.Running, RequestState.Verifying, RequestState.Succeeded],
            details.Transitions.Select(t => t.To));
        var stepEvents = await Portal.Db(db => db.AuditEvents.CountAsync(e => e.RequestId == submitted.Id && e.Action == "job.step" && e.IsDemo));
        Assert.True(stepEvents >= 10, $"expected a start and an end event per step, got {stepEvents}");
    }

    [Fact]
    public async Task Approve_RunsAfterTwoDistinctApprovals_WhenRuleRequiresTwo()
    {
        await SetPolicyAsync(new SetApprovalRules.Rule("four eyes for prod", ApprovalOutcome.RequireApprovals, 2, Environment: "prod"));
        var submitted = await SubmitComputeMoveAsync();
        Assert.Equal(RequestState.PendingApproval, submitted.State);

        var first = await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(submitted.Id, "Looks fine")));
        Assert.Equal(RequestState.PendingApproval, first.State);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(submitted.Id, "me again"))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Requester, new ApproveRequest.Command(submitted.Id, "mine"))));
        var second = await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver2, new ApproveRequest.Command(submitted.Id, "Agreed")));
        Assert.Equal(RequestState.Approved, second.State);

        await DispatchAndRunAsync(submitted.Id);
        var details = await GetAsync(submitted.Id);
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        Assert.Equal(["Anna Approver", "Ben Approver"], details.Decisions.Select(d => d.ApproverName));
    }

    [Fact]
    public async Task Reject_EndsRequest_AndNothingRuns()
    {
        var submitted = await SubmitComputeMoveAsync();
        var rejected = await Portal.Scoped<RejectRequest, RequestSummary>(u => u.HandleAsync(Approver1, new RejectRequest.Command(submitted.Id, "Not during quarter end")));
        Assert.Equal(RequestState.Rejected, rejected.State);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        Assert.DoesNotContain(submitted.Id, Portal.Jobs.Runs);
        var details = await GetAsync(submitted.Id);
        Assert.Contains("Not during quarter end", details.Transitions[^1].Reason);
    }

    [Fact]
    public async Task Expire_MarksPendingRequestExpired_AfterConfiguredTime()
    {
        var submitted = await SubmitComputeMoveAsync();
        Assert.Equal(0, await Portal.Scoped<ExpireStaleRequests, int>(u => u.HandleAsync()));
        Portal.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await Portal.Scoped<ExpireStaleRequests, int>(u => u.HandleAsync()));
        Assert.Equal(RequestState.Expired, (await GetAsync(submitted.Id)).Summary.State);
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == submitted.Id && e.Action == "request.expired")));
    }

    [Fact]
    public async Task Cancel_WhileRunning_EndsCancelled_AndVmStaysAtSource()
    {
        Portal = await RestartWithDurationAsync(TimeSpan.FromSeconds(30));
        await SetPolicyAsync(new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove));
        var vm = await RequesterVmAsync();
        var submitted = await SubmitComputeMoveAsync(vm);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        var run = Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));
        await Portal.WaitForOperationIdAsync(submitted.Id, run);

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(Requester, new CancelRequest.Command(submitted.Id, "stop"))));
        var afterCancel = await Portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(Operator, new CancelRequest.Command(submitted.Id, "Wrong target")));
        Assert.Equal(RequestState.Running, afterCancel.State);
        await run.WaitAsync(TimeSpan.FromSeconds(20));

        var details = await GetAsync(submitted.Id);
        Assert.Equal(RequestState.Cancelled, details.Summary.State);
        Assert.Equal(vm.HostExternalId, await DemoHostOfAsync(vm.Id));
    }

    [Fact]
    public async Task Reconcile_FinishesRequest_AfterProcessDiesMidTransfer_WithoutReissuingIt()
    {
        Portal = await RestartWithDurationAsync(TimeSpan.FromSeconds(4));
        await SetPolicyAsync(new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove));
        var vm = await RequesterVmAsync();
        var submitted = await SubmitComputeMoveAsync(vm);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());

        using var processDeath = new CancellationTokenSource();
        var run = Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id, processDeath.Token));
        await Portal.WaitForOperationIdAsync(submitted.Id, run);
        await processDeath.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(RequestState.Running, (await GetAsync(submitted.Id)).Summary.State);

        // "Restart": a new process on the same database, later than the stale-heartbeat limit.
        Portal = await RestartWithDurationAsync(TimeSpan.FromSeconds(4), advance: ReconcileStaleMigrations.StaleAfter + TimeSpan.FromSeconds(5));
        var stale = await Portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync());
        Assert.Equal([submitted.Id], stale);
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));

        var details = await GetAsync(submitted.Id);
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        Assert.Equal(1, await Portal.Db(db => db.DemoTasks.CountAsync()));
        Assert.NotEqual(vm.HostExternalId, await DemoHostOfAsync(vm.Id));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == submitted.Id && e.Details.Contains("reconcile"))));
    }

    [Fact]
    public async Task Approve_ByTwoApproversAtOnce_RecordsExactlyOneDecision()
    {
        var submitted = await SubmitComputeMoveAsync();
        using var gate = new SemaphoreSlim(0, 2);
        async Task<Exception?> Decide(MigrationPortal.Application.Authorization.PortalUser who) =>
            await Record.ExceptionAsync(() => Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(who, new ApproveRequest.Command(submitted.Id, $"ok from {who.Name}"))));
        var results = await Task.WhenAll(Decide(Approver1), Decide(Approver2));

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r is ConflictException or ValidationFailedException);
        var details = await GetAsync(submitted.Id);
        Assert.Single(details.Decisions);
        Assert.Equal(RequestState.Approved, details.Summary.State);
    }

    [Fact]
    public async Task Approve_LosesWithConflict_WhenAnotherApproverSavedFirst()
    {
        var submitted = await SubmitComputeMoveAsync();
        // Both approvers load the request before either saves: the race the concurrency token exists for.
        await using var first = await Portal.Scoped<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>, PortalDbContext>(f => f.CreateDbContextAsync());
        await using var second = await Portal.Scoped<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>, PortalDbContext>(f => f.CreateDbContextAsync());
        var a = await first.LoadRequestAsync(submitted.Id, default);
        var b = await second.LoadRequestAsync(submitted.Id, default);
        a.Approve(Approver1.AsActor(), "yes", Portal.Time.GetUtcNow());
        b.Approve(Approver2.AsActor(), "yes too", Portal.Time.GetUtcNow());
        await first.SaveChangesAsync();
        await Assert.ThrowsAsync<ConflictException>(() => second.SaveOrConflictAsync("lost", default));
        Assert.Single((await GetAsync(submitted.Id)).Decisions);
    }

    [Fact]
    public async Task Approve_LosesWithConflict_WhenSameApproverSavedFirstOnAnotherNode()
    {
        var submitted = await SubmitComputeMoveAsync();
        // One approver's two clicks reach two nodes: both load the pending request, both add a decision by the same
        // person. The loser trips the unique (request, approver) index, which must read as a 409, not a fault.
        await using var first = await Portal.Scoped<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>, PortalDbContext>(f => f.CreateDbContextAsync());
        await using var second = await Portal.Scoped<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>, PortalDbContext>(f => f.CreateDbContextAsync());
        var a = await first.LoadRequestAsync(submitted.Id, default);
        var b = await second.LoadRequestAsync(submitted.Id, default);
        foreach (var (db, request) in new[] { (first, a), (second, b) })
        {
            request.Approve(Approver1.AsActor(), "yes", Portal.Time.GetUtcNow());
            MigrationPortal.Application.Audit.AuditLog.ForRequest(db, Portal.Time.GetUtcNow(), Approver1.AsActor(), "request.approved", request, new { });
        }

        await first.SaveChangesAsync();
        await Assert.ThrowsAsync<ConflictException>(() => second.SaveOrConflictAsync("lost", default));
        Assert.Single((await GetAsync(submitted.Id)).Decisions);
    }

    [Fact]
    public async Task Get_IsForbiddenAndAudited_ForRequesterOfAnotherApplication()
    {
        var submitted = await SubmitComputeMoveAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(OtherRequester, submitted.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(OtherRequester, Guid.NewGuid())));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == "auth.access-denied" && e.ActorId == OtherRequester.Id)));
        var mine = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Requester, submitted.Id));
        Assert.Equal(submitted.Id, mine.Summary.Id);
    }

    [Fact]
    public async Task Submit_Refuses_VmOfAnotherApplication_AndBadInput()
    {
        var otherVm = await Portal.Db(db => db.Vms.FirstAsync(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == OtherApp)));
        await Assert.ThrowsAsync<ForbiddenException>(() => SubmitComputeMoveAsync(otherVm));

        var vm = await RequesterVmAsync();
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, "no-such-host", null, " "))));
        Assert.Contains("Justification", invalid.Errors.Keys);
        Assert.Contains("TargetHostId", invalid.Errors.Keys);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
    }

    private async Task<PortalHarness> RestartWithDurationAsync(TimeSpan duration, TimeSpan? advance = null)
    {
        var time = Portal.Time;
        await Portal.DisposeAsync();
        if (advance is { } by) time.Advance(by);
        return await PortalHarness.StartAsync(Provider, ConnectionString, duration, time);
    }
}

public sealed class SqliteRequestLifecycleTests() : RequestLifecycleTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRequestLifecycleTests() : RequestLifecycleTests(DatabaseProvider.PostgreSql);
