using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Notifications;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Notifications;

/// <summary>The app bar's bell: read from the database, so a request decided or run on another node shows on every node.</summary>
public abstract class BellNotificationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<BellView> BellAsync(MigrationPortal.Application.Authorization.PortalUser who) =>
        Portal.Scoped<GetBellNotifications, BellView>(u => u.HandleAsync(who));

    private async Task<RequestSummary> SubmitAsync()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("one approval", ApprovalOutcome.RequireApprovals, 1)]));
        var vm = await Portal.Db(db => db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync());
        return await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester, new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "move")));
    }

    [Fact]
    public async Task GetBellNotifications_ShowsApprovalNeededToApproversOnly_UntilTheyDecide()
    {
        var request = await SubmitAsync();

        var approver = await BellAsync(Approver1);
        var item = Assert.Single(approver.Items);
        Assert.Equal((BellKind.ApprovalNeeded, request.Id, request.VmName), (item.Kind, item.RequestId, item.VmName));
        Assert.Equal(1, approver.ApprovalsNeeded);
        Assert.Empty((await BellAsync(Requester)).Items);
        Assert.Empty((await BellAsync(OtherRequester)).Items);

        await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(request.Id, "fine")));
        var after = await BellAsync(Approver1);
        Assert.Empty(after.Items);
        Assert.Equal(0, after.ApprovalsNeeded);
    }

    [Fact]
    public async Task GetBellNotifications_TellsTheRequesterTheRunStartedAndSucceeded_AndForgetsItAfterAWeek()
    {
        var request = await SubmitAsync();
        await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(request.Id, "fine")));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
        Assert.Equal(RequestState.Succeeded, (await Portal.RequestAsync(request.Id)).State);

        var mine = await BellAsync(Requester);
        Assert.Equal([BellKind.Succeeded, BellKind.Started], mine.Items.Select(i => i.Kind));
        Assert.All(mine.Items, i => Assert.Equal(request.Id, i.RequestId));
        // Another owner of nothing here, and the approver who is not the requester, hear nothing of it.
        Assert.Empty((await BellAsync(OtherRequester)).Items);
        Assert.Empty((await BellAsync(Approver1)).Items);

        Portal.Time.Advance(GetBellNotifications.Window + TimeSpan.FromMinutes(1));
        Assert.Empty((await BellAsync(Requester)).Items);
    }
}

public sealed class SqliteBellNotificationTests() : BellNotificationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlBellNotificationTests() : BellNotificationTests(DatabaseProvider.PostgreSql);
