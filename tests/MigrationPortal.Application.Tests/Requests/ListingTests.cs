using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>What the wizard and the approvals inbox list: only requestable VMs, only requests this approver can still decide.</summary>
public sealed class ListingTests() : DatabaseTestBase(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task ListVms_RequestableOnly_LimitsAnApproverRequesterToOwnedApplications()
    {
        var both = User(Requester.Id, "Rita with approver role", MigrationPortal.Application.Authorization.Roles.Requester, MigrationPortal.Application.Authorization.Roles.Approver);
        var seen = await Portal.Scoped<ListVms, PagedResult<VmView>>(u => u.HandleAsync(both, new ListVms.Query(Take: 500)));
        var requestable = await Portal.Scoped<ListVms, PagedResult<VmView>>(u => u.HandleAsync(both, new ListVms.Query(Take: 500, RequestableOnly: true)));
        Assert.Equal(60, seen.Total);
        Assert.Equal(15, requestable.Total);
        Assert.All(requestable.Items, v => Assert.Equal(RequesterApp, v.ApplicationName));
    }

    [Fact]
    public async Task ListRequests_AwaitingMyDecision_DropsRequestsAlreadyDecidedOrOfAnotherGroup()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin,
        [
            new SetApprovalRules.Rule("crm needs cab", ApprovalOutcome.RequireApprovals, 1, "cab", Environment: "crm-env"),
            new SetApprovalRules.Rule("four eyes", ApprovalOutcome.RequireApprovals, 2),
        ]));
        var vm = await Portal.Db(db => db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync());
        var request = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester, new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "move")));

        async Task<int> Awaiting(MigrationPortal.Application.Authorization.PortalUser who) =>
            (await Portal.Scoped<ListRequests, PagedResult<RequestSummary>>(u => u.HandleAsync(who, new ListRequests.Query(AwaitingMyDecision: true)))).Total;

        Assert.Equal(1, await Awaiting(Approver1));
        await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(request.Id, "first of two")));
        Assert.Equal(0, await Awaiting(Approver1));
        Assert.Equal(1, await Awaiting(Approver2));
    }
}
