using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>Run tests on the scripted demo hypervisor (<see cref="ScriptedConnector"/>): counts of what reached it, faults where a test says.</summary>
public abstract class ScriptedRunTestBase(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected readonly HypervisorScript Script = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(Script);
        services.AddScoped<DemoConnector>();
        services.AddKeyedScoped<IHypervisorConnector, ScriptedConnector>(ConnectionKinds.Demo);
    }

    protected Task<MigrationRequest> LoadAsync(Guid request) =>
        Portal.Db(db => db.Requests.AsNoTracking().Include(r => r.Steps).SingleAsync(r => r.Id == request));

    /// <summary>Submits an auto-approved compute move of one of Rita's powered-on VMs and dispatches it (Scheduled, due now).</summary>
    protected async Task<(Guid Request, InventoryVm Vm)> SubmitAndDispatchAsync(bool takeSnapshot)
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));
        var vm = await Portal.Db(db => db.Vms.AsNoTracking()
            .Where(v => v.PowerState == PowerState.On && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).Select(h => h.ExternalId).FirstAsync());
        var submitted = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Host firmware upgrade", TakeSnapshot: takeSnapshot)));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        return (submitted.Id, vm);
    }
}
