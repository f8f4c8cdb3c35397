using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The wizard's per-VM target table (MTV/HCX style): proposals, "same for all", valid choices only, and prechecks at the target step.</summary>
public sealed class WizardTargetTableTests : BatchWizardTestContext
{
    [Fact]
    public async Task TargetStep_ProposesEachRowFromItsOwnVmsCluster_WhenTheBatchSpansTwoClusters()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);

        Assert.Equal(2, cut.FindAll("[data-testid=target-row]").Count);
        // vm-a (C1, on esx-1) gets esx-2; vm-b (C2, on esx-3) gets esx-4: each from its own cluster, never its current host.
        Assert.Equal("esx-2", Shown(Row(cut, BatchWizardBackend.VmA), "host-select"));
        Assert.Equal("esx-4", Shown(Row(cut, BatchWizardBackend.VmB), "host-select"));
        Assert.Contains("esx-3 · C2", Row(cut, BatchWizardBackend.VmB).QuerySelector("[data-testid=current-placement]")!.TextContent);

        await Next(cut);
        await Next(cut);
        Type(cut, "justification", "Rack 12 is retired");
        await Next(cut);
        await Submit(cut);
        Assert.Equal([("h2", BatchWizardBackend.VmA.Id), ("h4", BatchWizardBackend.VmB.Id)], Backend.Submitted.Select(c => (c.TargetHostId!, c.VmId)));
        Assert.Equal([Backend.BatchId], OpenedBatches);
    }

    [Fact]
    public async Task SameForAll_CopiesTheRowsHost_AndSaysBesideTheFieldAtOnce_WhenTheVmAlreadyRunsThere()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmC);
        Assert.Equal("esx-1", Shown(Row(cut, BatchWizardBackend.VmC), "host-select"));
        Assert.DoesNotContain("already runs", cut.Markup);

        // vm-a's row proposes esx-2, where vm-c runs: copied to vm-c's row, the notice shows there without pressing Next.
        await Row(cut, BatchWizardBackend.VmA).QuerySelector("button[data-testid=same-for-all]")!.ClickAsync(new MouseEventArgs());
        var row = Row(cut, BatchWizardBackend.VmC);
        Assert.Equal("esx-2", Shown(row, "host-select"));
        Assert.Contains("vm-c already runs on esx-2.", row.QuerySelector(".mud-input-error")!.TextContent);
        Assert.DoesNotContain("already runs", Row(cut, BatchWizardBackend.VmA).TextContent);

        await Next(cut);
        Assert.Equal(2, StepOf(cut));
        await Choose<string>(cut, "host-select", "h1", BatchWizardBackend.VmC.Id);
        Assert.Null(Row(cut, BatchWizardBackend.VmC).QuerySelector(".mud-input-error"));
        await Next(cut);
        Assert.Equal(3, StepOf(cut));
    }

    [Fact]
    public async Task DatastoreSelect_OffersOnlyDatastoresTheChosenHostMounts_AndFollowsTheHost()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.ComputeAndStorage, BatchWizardBackend.VmA);
        // Proposed: esx-2 (C1) with ds-2, a C1 datastore other than the one the disks are on.
        Assert.Equal(("esx-2", "ds-2"), (Shown(Row(cut, BatchWizardBackend.VmA), "host-select"), Shown(Row(cut, BatchWizardBackend.VmA), "datastore-select")));

        await Choose<string>(cut, "host-select", "h3", BatchWizardBackend.VmA.Id);
        // esx-3 does not mount ds-2: the datastore follows the host, and only what esx-3 mounts is offered.
        Assert.Equal("ds-3", Shown(Row(cut, BatchWizardBackend.VmA), "datastore-select"));
        var select = Select<string>(cut, "datastore-select", BatchWizardBackend.VmA.Id);
        await cut.InvokeAsync(() => select.OpenMenu());
        var offered = cut.FindComponents<MudBlazor.MudSelectItem<string>>().Select(i => i.Instance.Value!).ToList();
        // Every item rendered for the open select: the host select's items are esx-…, the datastore select's only ds-3 and ds-4.
        Assert.Equal(["ds-3", "ds-4"], offered.Where(v => v.StartsWith("ds-", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task ComputeOnlyHost_IsNotSelectable_WhenItDoesNotMountTheVmsDatastore()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);

        // "Same for all" from vm-a (esx-2, C1) to vm-b (C2): esx-2 does not mount ds-3, which the row says at once.
        await Row(cut, BatchWizardBackend.VmA).QuerySelector("button[data-testid=same-for-all]")!.ClickAsync(new MouseEventArgs());
        Assert.Contains("esx-2 does not mount this VM's datastore ds-3", Row(cut, BatchWizardBackend.VmB).QuerySelector(".mud-input-error")!.TextContent);
        await Next(cut);
        Assert.Equal(2, StepOf(cut));
    }

    [Fact]
    public async Task TargetStep_ShowsEachRowsPrecheckFindings_AndRunsThemAgainWhenTheTargetChanges()
    {
        Backend.FindingsFor = c => c.TargetHostId == "h4"
            ? [new PrecheckFinding(FindingSeverity.Critical, "cpu", "esx-4 lacks the CPU features vm-b uses."), new PrecheckFinding(FindingSeverity.Critical, "schedule", "No window allows it.")]
            : c.TargetHostId == "h2" ? [new PrecheckFinding(FindingSeverity.Warning, "snapshot", "vm-a already has a snapshot.")] : [];
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);

        // The finding shows in vm-b's row, at the step where its target can be changed; the schedule's waits for its own step.
        cut.WaitForAssertion(() => Assert.Contains("esx-4 lacks the CPU features", Row(cut, BatchWizardBackend.VmB).TextContent));
        Assert.DoesNotContain("No window allows it.", cut.Markup);
        Assert.Contains("vm-a already has a snapshot.", Row(cut, BatchWizardBackend.VmA).TextContent);

        await Choose<string>(cut, "host-select", "h5", BatchWizardBackend.VmA.Id);
        Assert.Contains(Backend.Previewed, c => c.VmId == BatchWizardBackend.VmA.Id && c.TargetHostId == "h5");
        cut.WaitForAssertion(() => Assert.Contains("No findings.", Row(cut, BatchWizardBackend.VmA).TextContent));
        Assert.Contains("esx-4 lacks the CPU features", Row(cut, BatchWizardBackend.VmB).TextContent);
    }
}
