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
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>Shared steps of the scheduling tests: windows on the demo connection, requests, and a stand-in for the run job.</summary>
internal static class SchedulingTestKit
{
    public static readonly RequestState[] InFlight = [RequestState.Scheduled, RequestState.Running, RequestState.Verifying];

    public static Task<Guid> DemoConnectionIdAsync(this PortalHarness portal) =>
        portal.Db(db => db.Connections.Where(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync());

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

    /// <summary>
    /// Adds <paramref name="count"/> VMs beside <paramref name="template"/> (same host, cluster, datastores, application) both
    /// to the portal's inventory and to the demo hypervisor's world, so the real run job (<see cref="MigrationPortal.Application.Execution.RunMigration"/>)
    /// with the demo connector can move them.
    /// </summary>
    public static Task<List<InventoryVm>> AddDemoVmsAsync(this PortalHarness portal, InventoryVm template, string prefix, int count, long memoryMb) => portal.Db(async db =>
    {
        var added = Enumerable.Range(0, count).Select(i => new InventoryVm
        {
            ConnectionId = template.ConnectionId, ExternalId = $"{prefix}-{i:00}", Name = $"{prefix}-vm-{i:00}", HostExternalId = template.HostExternalId,
            HostName = template.HostName, ClusterName = template.ClusterName, Datastores = template.Datastores, MemoryMb = memoryMb, ApplicationId = template.ApplicationId,
        }).ToList();
        db.Vms.AddRange(added);
        db.DemoVms.AddRange(added.Select(v => new DemoVm
        {
            Id = v.ExternalId, Name = v.Name, HostId = v.HostExternalId!, Datastore = v.Datastores.Split(',')[0], Cpus = 2, MemoryMb = v.MemoryMb, DiskGb = 20,
            Application = PortalHarness.RequesterApp,
        }));
        await db.SaveChangesAsync();
        return added;
    });

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
