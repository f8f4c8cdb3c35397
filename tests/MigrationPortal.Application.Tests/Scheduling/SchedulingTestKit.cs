using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>Shared steps of the scheduling tests: windows on the demo connection, requests, and a stand-in for the run job.</summary>
internal static class SchedulingTestKit
{
    public static readonly RequestState[] InFlight = [RequestState.Scheduled, RequestState.Running, RequestState.Verifying];

    public static Task<Guid> DemoConnectionIdAsync(this PortalHarness portal) =>
        portal.Db(db => db.Connections.Where(c => c.Kind == MigrationPortal.Domain.Inventory.ConnectionKinds.Demo).Select(c => c.Id).FirstAsync());

    public static Task AutoApproveEverythingAsync(this PortalHarness portal) =>
        portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));

    public static async Task<CalendarPeriodView> AddConnectionWindowAsync(this PortalHarness portal, string name, RecurrenceKind kind, string expression,
        string zone, DateTime localStart, int minutes)
    {
        var connection = await portal.DemoConnectionIdAsync();
        return await portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(PortalHarness.Operator, null,
            new CalendarPeriodInput(name, kind, expression, zone, localStart, minutes, WindowScopeKind.Connection, connection)));
    }

    public static async Task<(InventoryVm Vm, string TargetHostId)> RequesterVmAsync(this PortalHarness portal, int index = 0) => await portal.Db(async db =>
    {
        var vm = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == PortalHarness.RequesterApp))
            .OrderBy(v => v.Name).Skip(index).FirstAsync();
        var target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).Select(h => h.ExternalId).FirstAsync();
        return (vm, target);
    });

    public static Task<RequestSummary> SubmitAsync(this PortalHarness portal, InventoryVm vm, string targetHostId, ScheduleMode mode,
        DateTimeOffset? notBefore = null, Guid? windowId = null) =>
        portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(PortalHarness.Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, targetHostId, null, "Scheduled test move", mode, notBefore, WindowId: windowId)));

    public static Task<MigrationRequest> RequestAsync(this PortalHarness portal, Guid id) =>
        portal.Db(db => db.Requests.AsNoTracking().FirstAsync(r => r.Id == id));

    /// <summary>Stands in for the run job: starts a scheduled request and finishes it after <paramref name="took"/>.</summary>
    public static async Task RunToSucceededAsync(PortalDbContext db, Guid id, DateTimeOffset startedAt, TimeSpan took)
    {
        var request = await db.LoadRequestAsync(id, default);
        request.Start(startedAt);
        request.BeginVerify(startedAt + took);
        request.Succeed(startedAt + took, "Simulated run finished.");
        await db.SaveChangesAsync();
    }
}
