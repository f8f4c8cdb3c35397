using MigrationPortal.Application.Scheduling;
using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
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

        public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(Targets ?? new TargetOptions(vmId, Vm.Name, "esx-1", "ds-1",
            [new HostOption("h2", "esx-2", "C1", true, true, null, 100_000), new HostOption("h9", "esx-9", "C1", true, false, "in maintenance mode", 100_000)],
            [new DatastoreOption("ds-2", "ds-2", 500, 40, true, false)]));

        /// <summary>Targets a test sets (conversion destinations, say); the default hosts and datastore otherwise.</summary>
        public TargetOptions? Targets { get; set; }

        /// <summary>Windows the fake says cover the VM; empty unless a test adds some.</summary>
        public List<CalendarPeriodView> Windows { get; } = [];

        public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId) => Task.FromResult(new CalendarPeriods(Windows.ToList(), []));

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

    /// <summary>The wizard's clock: noon UTC on a fixed day, so "in the past" does not depend on when the test runs.</summary>
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private (IRenderedComponent<RequestWizard> Cut, FakeBackend Backend, List<Guid> Opened) RenderWizard(params VmView[] moreVms) => RenderWizard(null, moreVms);

    private (IRenderedComponent<RequestWizard> Cut, FakeBackend Backend, List<Guid> Opened) RenderWizard(TargetOptions? targets, params VmView[] moreVms)
    {
        var backend = new FakeBackend { Targets = targets };
        backend.Vms.AddRange(moreVms);
        var opened = new List<Guid>();
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, backend).Add(c => c.OnSubmitted, id => opened.Add(id))
            .Add(c => c.Time, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now)));
        return (cut, backend, opened);
    }

    // The tests drive the wizard as a user does: through its inputs (found by data-testid) and its buttons.
    private static int StepOf(IRenderedComponent<RequestWizard> cut) => int.Parse(cut.Find("[data-testid=wizard]").GetAttribute("data-step")!, CultureInfo.InvariantCulture);

    private static Task Next(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

    private static Task Back(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=back]").ClickAsync(new MouseEventArgs());

    private static Task Submit(IRenderedComponent<RequestWizard> cut) => cut.Find("button[data-testid=submit]").ClickAsync(new MouseEventArgs());

    /// <summary>Picks an option of the select with that data-testid (in a multi-select, toggles it), as a click on the option does.</summary>
    private static Task Choose<T>(IRenderedComponent<RequestWizard> cut, string testId, T value)
    {
        var select = cut.FindComponents<MudSelect<T>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId));
        return cut.InvokeAsync(() => select.Instance.SelectOption(value));
    }

    private static readonly Dictionary<ScheduleMode, string> ScheduleLabels = new()
    {
        [ScheduleMode.AsSoonAsApproved] = "As soon as approved",
        [ScheduleMode.NextWindow] = "Next maintenance window",
        [ScheduleMode.ChosenWindow] = "In a window I choose",
        [ScheduleMode.SpecificTime] = "At a specific time",
    };

    private static IElement ScheduleRadio(IRenderedComponent<RequestWizard> cut, ScheduleMode mode) =>
        cut.FindComponents<MudRadio<ScheduleMode>>().Single(r => r.Find("*").TextContent.Trim().StartsWith(ScheduleLabels[mode], StringComparison.Ordinal)).Find("input");

    /// <summary>Clicks the schedule radio button with that mode's label.</summary>
    private static void Pick(IRenderedComponent<RequestWizard> cut, ScheduleMode mode) => ScheduleRadio(cut, mode).Click();

    private static ScheduleMode Picked(IRenderedComponent<RequestWizard> cut) =>
        ScheduleLabels.Keys.Single(mode => ScheduleRadio(cut, mode).HasAttribute("checked"));

    private static void Type(IRenderedComponent<RequestWizard> cut, string testId, string text) =>
        cut.Find($"[data-testid={testId}] input, input[data-testid={testId}], [data-testid={testId}] textarea, textarea[data-testid={testId}]").Input(text);

    private static void TypeAndLeave(IRenderedComponent<RequestWizard> cut, string testId, string text) =>
        cut.Find($"[data-testid={testId}] input, input[data-testid={testId}]").Change(text);

    private static string SafetyCopyLabel(IRenderedComponent<RequestWizard> cut) =>
        cut.FindComponents<MudSwitch<bool>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "take-snapshot")).Find("*").TextContent.Trim();

    /// <summary>From the first step with the VM chosen, through kind (compute) and target (h2 in every row), to the schedule step.</summary>
    private static async Task ToSchedule(IRenderedComponent<RequestWizard> cut, params Guid[] vms)
    {
        foreach (var vm in vms) await Choose(cut, "vm-select", vm);
        await Next(cut);
        await Next(cut);
        foreach (var select in cut.FindComponents<MudSelect<string>>().Where(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "host-select")))
            await cut.InvokeAsync(() => select.Instance.SelectOption("h2"));
        await Next(cut);
    }

    /// <summary>From the schedule step (as it is) through justification to the review.</summary>
    private static async Task ToReview(IRenderedComponent<RequestWizard> cut, string justification = "why")
    {
        await Next(cut);
        Type(cut, "justification", justification);
        await Next(cut);
    }

    [Fact]
    public async Task SafetyCopyLabel_SaysSnapshotForVSphere_DiskBackupForKvm_AndBothWhenMixed()
    {
        var kvm = FakeBackend.Vm with { Id = Guid.NewGuid(), Name = "kvm-guest", IsDemo = false, ConnectionKind = "libvirt" };
        var vcenter = FakeBackend.Vm with { Id = Guid.NewGuid(), Name = "vc-guest", IsDemo = false, ConnectionKind = "vsphere" };
        var (cut, _, _) = RenderWizard(kvm, vcenter);

        await ToSchedule(cut, vcenter.Id);
        Assert.Equal("Take a snapshot first", SafetyCopyLabel(cut));
        for (var i = 0; i < 3; i++) await Back(cut);
        await Choose(cut, "vm-select", vcenter.Id);
        await ToSchedule(cut, kvm.Id);
        Assert.Equal("Back up the disks first (a copy of each disk)", SafetyCopyLabel(cut));
        for (var i = 0; i < 3; i++) await Back(cut);
        await ToSchedule(cut, vcenter.Id);
        Assert.Equal("Take a snapshot (vSphere) or a disk backup copy (KVM) first", SafetyCopyLabel(cut));
    }

    [Fact]
    public async Task Steps_RefuseToAdvance_WithMessagesBesideTheFields()
    {
        // No usable host of the VM's own cluster: nothing is proposed, so the target step wants a choice.
        var (cut, _, _) = RenderWizard(new TargetOptions(FakeBackend.Vm.Id, FakeBackend.Vm.Name, "esx-1", "ds-1",
            [new HostOption("h2", "esx-2", "C2", false, true, null, 100_000), new HostOption("h9", "esx-9", "C1", true, false, "in maintenance mode", 100_000)], []));
        await Next(cut);
        Assert.Equal(0, StepOf(cut));
        Assert.Contains("Choose at least one VM.", cut.Markup);

        await Choose(cut, "vm-select", FakeBackend.Vm.Id);
        await Next(cut);
        Assert.Equal(1, StepOf(cut));
        await Next(cut);
        await Next(cut);
        Assert.Equal(2, StepOf(cut));
        Assert.Contains("Choose a target host.", cut.Markup);

        await Choose<string>(cut, "host-select", "h2");
        await Next(cut);
        Pick(cut, ScheduleMode.SpecificTime);
        TypeAndLeave(cut, "not-before-date", "2026-06-01");
        TypeAndLeave(cut, "not-before-time", "11:00");
        await Next(cut);
        Assert.Equal(3, StepOf(cut));
        Assert.Contains("Choose a start time in the future.", cut.Markup);

        Pick(cut, ScheduleMode.AsSoonAsApproved);
        await Next(cut);
        await Next(cut);
        Assert.Equal(4, StepOf(cut));
        Assert.Contains("Say why these VMs must move.", cut.Markup);
    }

    [Fact]
    public async Task Review_BlocksOnCritical_AndNeedsTickForWarnings_ThenSubmits()
    {
        var (cut, backend, opened) = RenderWizard();
        backend.Findings.Add(new PrecheckFinding(FindingSeverity.Warning, "has-snapshot", "The VM already has a snapshot."));
        await ToSchedule(cut, FakeBackend.Vm.Id);
        await ToReview(cut, "Host firmware upgrade");

        Assert.Equal(5, StepOf(cut));
        Assert.Contains("requires 2 approval(s)", cut.Find("[data-testid=approval-path]").TextContent);
        Assert.True(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
        cut.Find("[data-testid=accept-warnings] input, input[data-testid=accept-warnings]").Change(true);
        Assert.False(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));

        await Submit(cut);
        var sent = Assert.Single(backend.Submitted);
        Assert.Equal(("h2", MigrationKind.Compute, "Host firmware upgrade"), (sent.TargetHostId, sent.Kind, sent.Justification));
        Assert.True(sent.TakeSnapshot == true && sent.RequireEncryption);
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
        await ToSchedule(cut, FakeBackend.Vm.Id);

        Assert.Equal(3, StepOf(cut));
        Assert.Contains("moves only inside one of those windows", cut.Find("[data-testid=window-required]").TextContent);
        Assert.Equal(ScheduleMode.NextWindow, Picked(cut));
        Pick(cut, ScheduleMode.ChosenWindow);
        await Next(cut);
        Assert.Equal(3, StepOf(cut));
        Assert.Contains("Choose a window.", cut.Markup);

        await Choose<Guid?>(cut, "window-select", backend.Windows[0].Id);
        await ToReview(cut);
        Assert.Equal(5, StepOf(cut));
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
        await ToSchedule(cut, FakeBackend.Vm.Id);
        await ToReview(cut);
        Assert.NotNull(cut.Find("[data-testid=blocked]"));
        Assert.True(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Submit_ReturnsToTheStep_WhenServerRejectsAField()
    {
        var (cut, backend, opened) = RenderWizard();
        backend.RejectWith = ValidationFailedException.For("TargetHostId", "That host is not in this VM's inventory.");
        await ToSchedule(cut, FakeBackend.Vm.Id);
        await ToReview(cut);
        await Submit(cut);
        Assert.Equal(2, StepOf(cut));
        Assert.Contains("That host is not in this VM's inventory.", cut.Markup);
        Assert.Empty(opened);
    }
}
