using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Batches;

public abstract class BatchAndOperatorActionTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task<List<(InventoryVm Vm, string Target)>> RequesterMovesAsync(int count) => await Portal.Db(async db =>
    {
        var vms = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).Take(count).ToListAsync();
        var result = new List<(InventoryVm, string)>();
        foreach (var vm in vms)
            result.Add((vm, await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync()));
        return result;
    });

    private Task<BatchView> SubmitBatchAsync(IEnumerable<(InventoryVm Vm, string Target)> moves) =>
        Portal.Scoped<SubmitBatch, BatchView>(u => u.HandleAsync(Requester, new SubmitBatch.Command("payments to new hosts", "Rack decommission",
            moves.Select(m => new SubmitBatch.Item(m.Vm.Id, MigrationKind.Compute, false, m.Target, null)).ToList())));

    [Fact]
    public async Task Batch_StartsOnlyWhenEveryRequestIsApproved_ThenAllSucceed()
    {
        var moves = await RequesterMovesAsync(3);
        var batch = await SubmitBatchAsync(moves);
        Assert.Equal(3, batch.Requests.Count);
        Assert.All(batch.Requests, r => Assert.Equal(RequestState.PendingApproval, r.State));

        // One request approved alone does not start: the batch moves together.
        await Portal.Scoped<MigrationPortal.Application.Approvals.ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1,
            new MigrationPortal.Application.Approvals.ApproveRequest.Command(batch.Requests[0].Id, "this one is fine")));
        Assert.Equal(0, await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync()));

        var outcomes = await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver1, new DecideBatch.Command(batch.Id, "Rack work approved"), Verdict.Approve));
        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(RequestState.Approved, o.State));

        Assert.Equal(3, await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync()));
        await Task.WhenAll(batch.Requests.Select(r => Portal.Scoped<RunMigration>(run => run.HandleAsync(r.Id))));
        var states = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.State).ToListAsync());
        Assert.All(states, s => Assert.Equal(RequestState.Succeeded, s));
    }

    [Fact]
    public async Task Batch_SavesNothing_WhenOneItemIsInvalid()
    {
        var moves = await RequesterMovesAsync(2);
        var bad = new SubmitBatch.Command("bad batch", "Rack decommission",
        [
            new SubmitBatch.Item(moves[0].Vm.Id, MigrationKind.Compute, false, moves[0].Target, null),
            new SubmitBatch.Item(moves[1].Vm.Id, MigrationKind.Compute, false, "no-such-host", null),
        ]);
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitBatch, BatchView>(u => u.HandleAsync(Requester, bad)));
        Assert.Contains("Items[1].TargetHostId", error.Errors.Keys);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
        Assert.Equal(0, await Portal.Db(db => db.Batches.CountAsync()));
    }

    [Fact]
    public async Task DecideBatch_GivesEachRequestOneDecision_WhenSameApproverDecidesOnTwoNodesAtOnce()
    {
        var batch = await SubmitBatchAsync(await RequesterMovesAsync(4));
        // Two nodes (two scopes, two units of work) run the same approver's batch approval at once, several times over.
        for (var round = 0; round < 3; round++)
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
                Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver1, new DecideBatch.Command(batch.Id, "Rack work approved"), Verdict.Approve)))));
            Assert.All(outcomes.SelectMany(o => o), o => Assert.True(o.State == RequestState.Approved || o.Problem is not null, o.Problem));
        }

        var decisions = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.Decisions.Count).ToListAsync());
        Assert.All(decisions, count => Assert.Equal(1, count));
        var states = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.State).ToListAsync());
        Assert.All(states, s => Assert.Equal(RequestState.Approved, s));
    }

    [Fact]
    public async Task Batch_RejectedByApprover_RejectsEveryRequest()
    {
        var batch = await SubmitBatchAsync(await RequesterMovesAsync(2));
        var outcomes = await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver2, new DecideBatch.Command(batch.Id, "Not this week"), Verdict.Reject));
        Assert.All(outcomes, o => Assert.Equal(RequestState.Rejected, o.State));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Requester, new DecideBatch.Command(batch.Id, "mine"), Verdict.Approve)));
    }

    [Fact]
    public async Task RollBack_MovesVmBackToSource_AfterSuccess()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove)]));
        var (vm, target) = (await RequesterMovesAsync(1))[0];
        var submitted = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester, new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "move")));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));
        Assert.Equal(target, await DemoHostAsync(vm));

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(Requester, new RollBackRequest.Command(submitted.Id, "undo"))));
        var rolling = await Portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(Operator, new RollBackRequest.Command(submitted.Id, "Application misbehaves on the new host")));
        Assert.Equal(RequestState.RollingBack, rolling.State);
        Assert.Contains(submitted.Id, Portal.Jobs.Runs);
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));

        Assert.Equal(RequestState.RolledBack, (await Portal.Db(db => db.Requests.FirstAsync(r => r.Id == submitted.Id))).State);
        Assert.Equal(vm.HostExternalId, await DemoHostAsync(vm));
    }

    [Fact]
    public async Task Retry_SendsFailedRequestBackToApproved_AndItRunsAgain()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove)]));
        var (vm, target) = (await RequesterMovesAsync(1))[0];
        // The demo connections allow unprotected legs (they move nothing over a network); this test needs one whose
        // administrator has not allowed them.
        await Portal.Db(async db =>
        {
            (await db.Connections.FirstAsync(c => c.Id == vm.ConnectionId)).AllowUnencryptedMigration = false;
            return await db.SaveChangesAsync();
        });
        // Unencrypted without an administrator's policy: the precheck blocks it and the request fails with the reason.
        var submitted = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "move", RequireEncryption: false)));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));
        var failed = await Portal.Db(db => db.Requests.FirstAsync(r => r.Id == submitted.Id));
        Assert.Equal(RequestState.Failed, failed.State);
        Assert.Contains("Unencrypted migration is not allowed", failed.FailureReason);
        Assert.Equal(vm.HostExternalId, await DemoHostAsync(vm));
        Assert.Equal(0, await Portal.Db(db => db.DemoTasks.CountAsync()));

        // An administrator records the policy; the operator retries; now it runs, and the request says it was unencrypted.
        await Portal.Db(async db =>
        {
            (await db.Connections.FirstAsync(c => c.Id == vm.ConnectionId)).AllowUnencryptedMigration = true;
            return await db.SaveChangesAsync();
        });
        var retried = await Portal.Scoped<RetryRequest, RequestSummary>(u => u.HandleAsync(Operator, new RetryRequest.Command(submitted.Id, "Policy now allows it")));
        Assert.Equal(RequestState.Approved, retried.State);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(submitted.Id));
        var done = await Portal.Db(db => db.Requests.FirstAsync(r => r.Id == submitted.Id));
        Assert.Equal(RequestState.Succeeded, done.State);
        Assert.StartsWith("Not encrypted", done.EncryptionApplied);
    }

    private Task<string> DemoHostAsync(InventoryVm vm) => Portal.Db(db => db.DemoVms.Where(d => d.Id == vm.ExternalId).Select(d => d.HostId).FirstAsync());
}

public sealed class SqliteBatchAndOperatorActionTests() : BatchAndOperatorActionTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlBatchAndOperatorActionTests() : BatchAndOperatorActionTests(DatabaseProvider.PostgreSql);
