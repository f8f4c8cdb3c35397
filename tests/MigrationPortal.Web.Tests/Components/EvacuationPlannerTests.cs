using AngleSharp.Dom;
using Bunit;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Web.Tests.Components;

public sealed class EvacuationPlannerTests : ComponentTestContext
{
    private static readonly Guid VmA = Guid.NewGuid(), VmB = Guid.NewGuid(), VmC = Guid.NewGuid();

    private static EvacuationChoice Same(string id) => new(id, id, "C1", true, MigrationKind.Compute, null, null);

    private static EvacuationChoice Other(string id) => new(id, id, "C2", false, MigrationKind.ComputeAndStorage, "ds-c2", "ds-c2");

    /// <summary>h1 holds three VMs; t1 (12,000 MB free) and t2 (8,192 MB free) share its cluster, t3 is in another cluster.</summary>
    private static EvacuationProposal Proposal(int vmCount = 3)
    {
        IReadOnlyList<EvacuationChoice> choices = [Same("t1"), Same("t2"), Other("t3")];
        var moves = new List<EvacuationMove>
        {
            new(VmA, "vm-a", PowerState.On, 8192, 40, "ds-c1", true, Same("t1"), choices, null),
            new(VmB, "vm-b", PowerState.On, 4096, 40, "ds-c1", true, Same("t2"), choices, null),
            new(VmC, "vm-c", PowerState.Off, 2048, 40, "ds-c1", false, Same("t2"), choices, null),
        }.Take(vmCount).ToList();
        return new EvacuationProposal(new HostSummary(Guid.NewGuid(), "h1", "C1", Guid.NewGuid(), "Demo", true, "connected", PowerState.On, false, 65536, 14336, vmCount),
            moves,
            [new("t1", "t1", "C1", 65536, 65536 - 12000, 8192), new("t2", "t2", "C1", 65536, 65536 - 8192, 6144), new("t3", "t3", "C2", 65536, 0, 0)],
            []);
    }

    private IRenderedComponent<EvacuationPlanner> RenderPlanner(EvacuationProposal proposal, Func<SubmitEvacuation.Command, Task<IReadOnlyDictionary<string, string[]>?>> onSubmit) =>
        Render<EvacuationPlanner>(p => p.Add(c => c.Proposal, proposal).Add(c => c.OnSubmit, onSubmit));

    private static void TypeJustification(IRenderedComponent<EvacuationPlanner> cut, string text) =>
        cut.Find("[data-testid=evacuation-justification] input, input[data-testid=evacuation-justification]").Input(text);

    /// <summary>Picks a VM's target in its MudSelect, as a click on the option does.</summary>
    private static Task ChooseTarget(IRenderedComponent<EvacuationPlanner> cut, string vm, string targetHostId)
    {
        var select = cut.FindComponents<MudBlazor.MudSelect<string>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), $"target-{vm}"));
        return cut.InvokeAsync(() => select.Instance.SelectOption(targetHostId));
    }

    private static IElement SubmitButton(IRenderedComponent<EvacuationPlanner> cut) => cut.Find("button[data-testid=submit-evacuation]");

    [Fact]
    public void Submit_SendsTheProposedMoves_AndAsksForAReasonFirst()
    {
        SubmitEvacuation.Command? sent = null;
        var cut = RenderPlanner(Proposal(), c => { sent = c; return Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null); });

        SubmitButton(cut).Click();
        Assert.Null(sent);
        Assert.Contains("Say why the host must be emptied", cut.Markup);

        TypeJustification(cut, "  Firmware update  ");
        SubmitButton(cut).Click();
        Assert.NotNull(sent);
        Assert.Equal("Firmware update", sent!.Justification);
        Assert.Equal([(VmA, "t1"), (VmB, "t2"), (VmC, "t2")], sent.Moves.Select(m => (m.VmId, m.TargetHostId)));
        Assert.All(sent.Moves, m => Assert.Equal(MigrationKind.Compute, m.Kind));
    }

    [Fact]
    public async Task EditingATarget_ThatOverfillsIt_ShowsByHowMuch_AndBlocksSubmit()
    {
        var cut = RenderPlanner(Proposal(), _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null));
        TypeJustification(cut, "Firmware");
        Assert.Empty(cut.FindAll("[data-testid=overfilled]"));
        Assert.False(SubmitButton(cut).HasAttribute("disabled"));

        // vm-b (4,096 MiB) joins vm-a (8,192 MiB) on t1, which has 12,000 MiB free: 288 MiB too many.
        await ChooseTarget(cut, "vm-b", "t1");

        Assert.Contains("over by 0.28 GiB", cut.Find("[data-testid=target-row-t1]").TextContent);
        Assert.True(SubmitButton(cut).HasAttribute("disabled"));
    }

    [Fact]
    public async Task ChoosingAnotherCluster_MovesStorageToo_AndLeavingOut_DropsTheVm()
    {
        SubmitEvacuation.Command? sent = null;
        var cut = RenderPlanner(Proposal(), c => { sent = c; return Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null); });
        TypeJustification(cut, "Firmware");
        await ChooseTarget(cut, "vm-a", "t3");
        await ChooseTarget(cut, "vm-c", "");
        Assert.Contains("compute and storage to ds-c2", cut.Markup);

        SubmitButton(cut).Click();

        Assert.Equal(2, sent!.Moves.Count);
        var a = sent.Moves.Single(m => m.VmId == VmA);
        Assert.Equal(("t3", MigrationKind.ComputeAndStorage, "ds-c2"), (a.TargetHostId, a.Kind, a.TargetDatastoreId));
        Assert.DoesNotContain(sent.Moves, m => m.VmId == VmC);
    }

    [Fact]
    public void ServerErrors_AppearBesideTheirMove()
    {
        var cut = RenderPlanner(Proposal(), _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(
            new Dictionary<string, string[]> { ["Moves[1].TargetHostId"] = ["Host t2 cannot take VMs now (it is in maintenance)."] }));
        TypeJustification(cut, "Firmware");
        SubmitButton(cut).Click();

        var rows = cut.FindAll("[data-testid=move-row]");
        Assert.Contains("cannot take VMs now", rows[1].TextContent);
        Assert.DoesNotContain("cannot take VMs now", rows[0].TextContent);
        Assert.DoesNotContain("cannot take VMs now", rows[2].TextContent);
    }

    [Fact]
    public void EmptyHost_SaysItCanGoIntoMaintenance()
    {
        var cut = RenderPlanner(Proposal(vmCount: 0), _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null));
        Assert.Contains("h1 is empty", cut.Find("[data-testid=host-empty]").TextContent);
        Assert.Empty(cut.FindAll("button[data-testid=submit-evacuation]"));
    }

    private static readonly CalendarPeriodView Nightly = new(Guid.NewGuid(), "a1 nightly", Domain.Scheduling.RecurrenceKind.Cron, "0 22 * * *", "UTC",
        new DateTime(2026, 1, 1, 22, 0, 0), 120, Domain.Scheduling.WindowScopeKind.Host, Guid.NewGuid(), "h1", "h1", true, "olga", DateTimeOffset.UnixEpoch,
        [new TimeSlot(new DateTimeOffset(2030, 1, 1, 22, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero))]);

    private static EvacuationProposal Covered() => Proposal() with { Windows = new CalendarPeriods([Nightly], []) };

    private static readonly Dictionary<ScheduleMode, string> ScheduleLabels = new()
    {
        [ScheduleMode.AsSoonAsApproved] = "As soon as approved",
        [ScheduleMode.ChosenWindow] = "In a window I choose",
        [ScheduleMode.SpecificTime] = "At a specific time",
    };

    private static IElement ScheduleRadio(IRenderedComponent<EvacuationPlanner> cut, ScheduleMode mode) =>
        cut.FindComponents<MudBlazor.MudRadio<ScheduleMode>>().Single(r => r.Find("*").TextContent.Trim().StartsWith(ScheduleLabels[mode], StringComparison.Ordinal)).Find("input");

    private static Task Pick(IRenderedComponent<EvacuationPlanner> cut, ScheduleMode mode) =>
        ScheduleRadio(cut, mode).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

    [Fact]
    public void Submit_SendsTheNextWindow_WhenWindowsCoverTheHostsVms()
    {
        SubmitEvacuation.Command? sent = null;
        var cut = RenderPlanner(Covered(), c => { sent = c; return Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null); });

        // The wizard's schedule step: the window is named, and "as soon as approved" is not offered.
        Assert.Contains("'a1 nightly' (host h1)", cut.Find("[data-testid=window-required]").TextContent);
        Assert.True(ScheduleRadio(cut, ScheduleMode.AsSoonAsApproved).HasAttribute("disabled"));
        TypeJustification(cut, "Firmware update");
        SubmitButton(cut).Click();

        Assert.Equal(ScheduleMode.NextWindow, sent!.ScheduleMode);
        Assert.Null(sent.WindowId);
    }

    [Fact]
    public async Task Submit_SendsATimeInsideTheWindow_AndChecksItFirst()
    {
        SubmitEvacuation.Command? sent = null;
        var cut = RenderPlanner(Covered(), c => { sent = c; return Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null); });
        TypeJustification(cut, "Firmware update");
        await Pick(cut, ScheduleMode.SpecificTime);

        // No date and time picked yet: refused beside the pickers, nothing sent.
        SubmitButton(cut).Click();
        Assert.Null(sent);
        Assert.Contains("Choose the start date and time.", cut.Markup);

        // The schedule step's date and time pickers (the user's zone is UTC here: no browser answers in bunit).
        cut.Find("[data-testid=not-before-date] input, input[data-testid=not-before-date]").Change("2030-01-01");
        cut.Find("[data-testid=not-before-time] input, input[data-testid=not-before-time]").Change("22:30");
        SubmitButton(cut).Click();
        Assert.Equal((ScheduleMode.SpecificTime, new DateTimeOffset(2030, 1, 1, 22, 30, 0, TimeSpan.Zero)), (sent!.ScheduleMode, sent.NotBefore!.Value));
    }

    [Fact]
    public async Task Submit_ShowsTheServersScheduleErrorBesideTheField_WhenTheChosenWindowIsRefused()
    {
        var cut = RenderPlanner(Covered(), _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(new Dictionary<string, string[]>
        {
            ["WindowId"] = ["The chosen maintenance window does not cover this VM, or it is disabled or deleted."],
        }));
        TypeJustification(cut, "Firmware update");
        await Pick(cut, ScheduleMode.ChosenWindow);
        var select = cut.FindComponents<MudBlazor.MudSelect<Guid?>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "window-select"));
        await cut.InvokeAsync(() => select.Instance.SelectOption(Nightly.Id));

        SubmitButton(cut).Click();

        Assert.Contains("does not cover this VM", select.Find(".mud-input-helper-text").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=evacuation-problem]"));
    }
}
