using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components.Web;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The inventory's "Request migration" opens the wizard at /requests/new?vm=…&amp;vm=… with those VMs chosen.</summary>
public sealed class WizardPreselectionTests : ComponentTestContext
{
    private static VmView Vm(string name) => new(Guid.NewGuid(), Guid.NewGuid(), "Demo", true, name, PowerState.On, "h1", "esx-1", "C1", "ds-1", 2, 4096, 40, Guid.NewGuid(), "demo-payments");

    private sealed class Backend(params VmView[] vms) : IRequestWizardBackend
    {
        public Task<IReadOnlyList<VmView>> ListVmsAsync(string? search) => Task.FromResult<IReadOnlyList<VmView>>(vms);

        public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(new TargetOptions(vmId, "vm", "esx-1", "ds-1", [], []));

        public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId) => Task.FromResult(new CalendarPeriods([], []));

        public Task<RequestPreview> PreviewAsync(SubmitRequest.Command command) =>
            Task.FromResult(new RequestPreview([], new ApprovalRequirement(ApprovalOutcome.AutoApprove, 0, null, "auto"), null, null, TimeSpan.FromMinutes(1), "x"));

        public Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName) => Task.FromResult(Guid.NewGuid());
    }

    private static int StepOf(IRenderedComponent<RequestWizard> cut) => int.Parse(cut.Find("[data-testid=wizard]").GetAttribute("data-step")!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Wizard_StartsWithTheLinkedVmsChosen_WhenOpenedFromTheInventory()
    {
        VmView a = Vm("web-01"), b = Vm("web-02"), c = Vm("db-01");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/requests/new?vm={a.Id}&vm={b.Id}");
        var cut = Render<RequestWizard>(p => p.Add(w => w.Backend, new Backend(a, b, c)));

        // Nothing picked by hand: Next moves on because the two linked VMs are already chosen.
        await cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

        Assert.Equal(1, StepOf(cut));
        Assert.Empty(cut.FindAll("[data-testid=wizard-problem]"));
    }

    [Fact]
    public async Task Wizard_IgnoresALinkedVm_ThatTheUserMayNotRequest()
    {
        var offered = Vm("web-01");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/requests/new?vm={Guid.NewGuid()}");
        var cut = Render<RequestWizard>(p => p.Add(w => w.Backend, new Backend(offered)));

        await cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

        Assert.Equal(0, StepOf(cut));
    }
}
