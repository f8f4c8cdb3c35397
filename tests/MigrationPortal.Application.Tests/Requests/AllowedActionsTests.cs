using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
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

/// <summary>GetRequest's allowed actions: the same request offers different actions per role and per state.</summary>
public abstract class AllowedActionsTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override TimeSpan DemoDuration => TimeSpan.FromSeconds(1);

    private Task<AllowedActions> ActionsAsync(PortalUser user, Guid id) =>
        Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(user, id)).ContinueWith(t => t.Result.Actions);

    [Fact]
    public async Task GetRequest_ReturnsActionsPerRoleAndState_FromPendingToSucceeded()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("one approval", ApprovalOutcome.RequireApprovals, 1)]));
        var vm = await Portal.Db(db => db.Vms.Where(v => v.PowerState == PowerState.On && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp))
            .OrderBy(v => v.Name).FirstAsync());
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name)
            .Select(h => h.ExternalId).FirstAsync());
        var request = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Host firmware upgrade")));
        Assert.Equal(RequestState.PendingApproval, request.State);

        Assert.Equal(new AllowedActions(Cancel: true, Retry: false, RollBack: false, Decide: false), await ActionsAsync(Requester, request.Id));
        Assert.Equal(new AllowedActions(Cancel: false, Retry: false, RollBack: false, Decide: true), await ActionsAsync(Approver1, request.Id));
        Assert.Equal(new AllowedActions(Cancel: true, Retry: false, RollBack: false, Decide: false), await ActionsAsync(Operator, request.Id));
        Assert.Equal(AllowedActions.None, await ActionsAsync(Auditor, request.Id));

        await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(request.Id, "fine")));
        // Decided once: the same approver may not decide again.
        Assert.False((await ActionsAsync(Approver1, request.Id)).Decide);

        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
        Assert.Equal(RequestState.Succeeded, (await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Operator, request.Id))).Summary.State);

        Assert.Equal(new AllowedActions(Cancel: false, Retry: false, RollBack: true, Decide: false), await ActionsAsync(Operator, request.Id));
        Assert.Equal(AllowedActions.None, await ActionsAsync(Requester, request.Id));
        Assert.Equal(AllowedActions.None, await ActionsAsync(Approver1, request.Id));
    }
}

public sealed class SqliteAllowedActionsTests() : AllowedActionsTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlAllowedActionsTests() : AllowedActionsTests(DatabaseProvider.PostgreSql);
