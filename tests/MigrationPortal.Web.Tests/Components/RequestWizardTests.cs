using MigrationPortal.Application.Scheduling;
using Bunit;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Web.Tests.Components;

public sealed class RequestWizardTests : ComponentTestContext
{
    private sealed class FakeBackend : IRequestWizardBackend
    {
        public static readonly VmView Vm = new(Guid.NewGuid(), Guid.NewGuid(), "Demo (simulated)", true, "demo-payments-01", PowerState.On, "h1", "esx-1", "C1", "ds-1", 2, 4096, 40, Guid.NewGuid(), "demo-payments");

        public List<PrecheckFinding> Findings { get; } = [new(FindingSeverity.Advisory, "demo", "Demo connector: nothing real moves.")];
        public List<SubmitRequest.Command> Submitted { get; } = [];
        public ValidationFailedException? RejectWith { get; set; }

        public List<VmView> Vms { get; } = [Vm];

        public Task<IReadOnlyList<VmView>> ListVmsAsync(string? search) => Task.FromResult<IReadOnlyList<VmView>>(Vms.ToList());

        public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(new TargetOptions(vmId, Vm.Name, "esx-1", "ds-1",
            [new HostOption("h2", "esx-2", "C1", true, true, null, 100_000), new HostOption("h9", "esx-9", "C1", true, false, "in maintenance mode", 100_000)],
            [new DatastoreOption("ds-2", "ds-2", 500, 40, true, false)]));

        /// <summary>Windows the fake says cover the VM; empty unless a test adds some.</summary>
        public List<CalendarPeriodView> Windows { get; } = [];

        public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId) => Task.FromResult(new CalendarPeriods(Windows.ToList(), []));

        public Task<RequestPreview> PreviewAsync(SubmitRequest.Command command) =>
            Task.FromResult(new RequestPreview(Findings.ToList(), new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 2, "cab", "Rule 'prod' requires 2 approval(s) from group 'cab'."),
                PlannedStart, PlannedStart is null ? null : "Starts in window 'nightly'.", TimeSpan.FromMinutes(3), "4 GiB of memory at the default 100 MB/s"));

        public DateTimeOffset? PlannedStart { get; set; }

        public Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName)
        {
            if (RejectWith is not null) throw RejectWith;
            Submitted.AddRange(commands);
            return Task.FromResult(Guid.NewGuid());
        }
    }

    private (IRenderedComponent<RequestWizard> Cut, FakeBackend Backend, List<Guid> Opened) RenderWizard(params VmView[] moreVms)
    {
        var backend = new FakeBackend();
        backend.Vms.AddRange(moreVms);
        var opened = new List<Guid>();
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, backend).Add(c => c.OnSubmitted, id => opened.Add(id)));
        return (cut, backend, opened);
    }

    // Calling the component's methods directly (not through a click) does not re-render by itself.
    private static async Task Next(IRenderedComponent<RequestWizard> cut)
    {
        await cut.InvokeAsync(() => cut.Instance.NextAsync());
        cut.Render();
    }

    private static async Task Submit(IRenderedComponent<RequestWizard> cut)
    {
        await cut.InvokeAsync(() => cut.Instance.SubmitAsync());
        cut.Render();
    }

    private static void Set(IRenderedComponent<RequestWizard> cut, Action<RequestWizard> change)
    {
        change(cut.Instance);
        cut.Render();
    }

    [Fact]
    public void SafetyCopyLabel_SaysSnapshotForVSphere_DiskBackupForKvm_AndBothWhenMixed()
    {
        var kvm = FakeBackend.Vm with { Id = Guid.NewGuid(), Name = "kvm-guest", IsDemo = false, ConnectionKind = "libvirt" };
        var vcenter = FakeBackend.Vm with { Id = Guid.NewGuid(), Name = "vc-guest", IsDemo = false, ConnectionKind = "vsphere" };
        var (cut, _, _) = RenderWizard(kvm, vcenter);

        Set(cut, w => w.SelectedVms = [vcenter.Id]);
        Assert.Equal("Take a snapshot first", cut.Instance.SafetyCopyLabel);
        Set(cut, w => w.SelectedVms = [kvm.Id]);
        Assert.Equal("Back up the disks first (a copy of each disk)", cut.Instance.SafetyCopyLabel);
        Set(cut, w => w.SelectedVms = [kvm.Id, vcenter.Id]);
        Assert.Equal("Take a snapshot (vSphere) or a disk backup copy (KVM) first", cut.Instance.SafetyCopyLabel);
    }

    [Fact]
    public async Task Steps_RefuseToAdvance_WithMessagesBesideTheFields()
    {
        var (cut, _, _) = RenderWizard();
        await Next(cut);
        Assert.Equal(0, cut.Instance.Step);
        Assert.Contains("Choose at least one VM.", cut.Markup);

        Set(cut, w => w.SelectedVms = [FakeBackend.Vm.Id]);
        await Next(cut);
        Assert.Equal(1, cut.Instance.Step);
        await Next(cut);
        await Next(cut);
        Assert.Equal(2, cut.Instance.Step);
        Assert.Contains("Choose a target host.", cut.Markup);

        Set(cut, w => w.TargetHostId = "h2");
        await Next(cut);
        Set(cut, w => { w.ScheduleMode = ScheduleMode.SpecificTime; w.NotBeforeText = "2001-01-01 00:00"; });
        await Next(cut);
        Assert.Equal(3, cut.Instance.Step);
        Assert.Contains("Choose a start time in the future.", cut.Markup);

        Set(cut, w => w.ScheduleMode = ScheduleMode.AsSoonAsApproved);
        await Next(cut);
        await Next(cut);
        Assert.Equal(4, cut.Instance.Step);
        Assert.Contains("Say why these VMs must move.", cut.Markup);
    }

    [Fact]
    public async Task Review_BlocksOnCritical_AndNeedsTickForWarnings_ThenSubmits()
    {
        var (cut, backend, opened) = RenderWizard();
        backend.Findings.Add(new PrecheckFinding(FindingSeverity.Warning, "has-snapshot", "The VM already has a snapshot."));
        Set(cut, w => w.SelectedVms = [FakeBackend.Vm.Id]);
        await Next(cut);
        await Next(cut);
        Set(cut, w => w.TargetHostId = "h2");
        await Next(cut);
        await Next(cut);
        Set(cut, w => w.Justification = "Host firmware upgrade");
        await Next(cut);

        Assert.Equal(5, cut.Instance.Step);
        Assert.Contains("requires 2 approval(s)", cut.Find("[data-testid=approval-path]").TextContent);
        Assert.True(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
        Set(cut, w => w.AcceptWarnings = true);
        Assert.False(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));

        await Submit(cut);
        var sent = Assert.Single(backend.Submitted);
        Assert.Equal(("h2", MigrationKind.Compute, "Host firmware upgrade"), (sent.TargetHostId, sent.Kind, sent.Justification));
        Assert.True(sent.TakeSnapshot && sent.RequireEncryption);
        Assert.Single(opened);
    }

    [Fact]
    public async Task Schedule_OffersOnlyWindows_WhenAWindowCoversTheVm_AndReviewShowsTheStart()
    {
        var (cut, backend, _) = RenderWizard();
        var start = new DateTimeOffset(2026, 3, 28, 21, 0, 0, TimeSpan.Zero);
        backend.Windows.Add(new CalendarPeriodView(Guid.NewGuid(), "nightly", MigrationPortal.Domain.Scheduling.RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin",
            new DateTime(2026, 1, 1, 22, 0, 0), 120, MigrationPortal.Domain.Scheduling.WindowScopeKind.Connection, Guid.NewGuid(), "x", "Demo", true, "Olga", start,
            [new TimeSlot(start, start.AddHours(2))]));
        backend.PlannedStart = start;
        Set(cut, w => { w.SelectedVms = [FakeBackend.Vm.Id]; w.TargetHostId = "h2"; w.Justification = "why"; });
        await Next(cut);
        await Next(cut);
        await Next(cut);

        Assert.Equal(3, cut.Instance.Step);
        Assert.Contains("moves only inside one of those windows", cut.Find("[data-testid=window-required]").TextContent);
        Assert.Equal(ScheduleMode.NextWindow, cut.Instance.ScheduleMode);
        Set(cut, w => w.ScheduleMode = ScheduleMode.ChosenWindow);
        await Next(cut);
        Assert.Equal(3, cut.Instance.Step);
        Assert.Contains("Choose a window.", cut.Markup);

        Set(cut, w => w.WindowId = backend.Windows[0].Id);
        await Next(cut);
        await Next(cut);
        Assert.Equal(5, cut.Instance.Step);
        Assert.Contains("2026-03-28 21:00 UTC", cut.Find("[data-testid=planned-start]").TextContent);
        Assert.Contains("3 min", cut.Find("[data-testid=estimate]").TextContent);
        await Submit(cut);
        var sent = Assert.Single(backend.Submitted);
        Assert.Equal((ScheduleMode.ChosenWindow, backend.Windows[0].Id), (sent.ScheduleMode, sent.WindowId));
    }

    [Fact]
    public async Task Review_DisablesSubmit_WhenAFindingIsCritical()
    {
        var (cut, backend, _) = RenderWizard();
        backend.Findings.Add(new PrecheckFinding(FindingSeverity.Critical, "host-maintenance", "Host esx-2 is in maintenance mode."));
        Set(cut, w => { w.SelectedVms = [FakeBackend.Vm.Id]; w.TargetHostId = "h2"; w.Justification = "why"; });
        for (var i = 0; i < 5; i++) await Next(cut);
        Assert.NotNull(cut.Find("[data-testid=blocked]"));
        Assert.True(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Submit_ReturnsToTheStep_WhenServerRejectsAField()
    {
        var (cut, backend, opened) = RenderWizard();
        backend.RejectWith = ValidationFailedException.For("TargetHostId", "That host is not in this VM's inventory.");
        Set(cut, w => { w.SelectedVms = [FakeBackend.Vm.Id]; w.TargetHostId = "h2"; w.Justification = "why"; });
        for (var i = 0; i < 5; i++) await Next(cut);
        await Submit(cut);
        Assert.Equal(2, cut.Instance.Step);
        Assert.Contains("That host is not in this VM's inventory.", cut.Markup);
        Assert.Empty(opened);
    }
}
