using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The review says what is being asked, per VM, and a VM can be taken out of the batch there.</summary>
public sealed class WizardReviewTests : BatchWizardTestContext
{
    [Fact]
    public async Task Review_ShowsPerVmKindLiveTargetSafetyCopyEncryptionScheduleJustificationFindingsAndApproval()
    {
        Backend.FindingsFor = c => c.VmId == BatchWizardBackend.VmB.Id ? [new PrecheckFinding(FindingSeverity.Advisory, "tools", "VMware Tools are outdated on vm-b.")] : [];
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);
        await TargetsToReview(cut, "Rack 12 is retired");

        var cards = cut.FindAll("[data-testid=review-vm]");
        Assert.Equal(["vm-a", "vm-b"], cards.Select(c => c.GetAttribute("data-vm-name")));
        var b = cards[1];
        string Fact(string id) => b.QuerySelector($"[data-testid={id}]")!.TextContent.Trim();
        Assert.Equal("Compute (vMotion / live migration)", Fact("review-kind"));
        Assert.StartsWith("Live", Fact("review-live"));
        Assert.Equal("host esx-4 (now on esx-3)", Fact("review-target"));
        Assert.Equal("Yes (Take a snapshot first)", Fact("review-snapshot"));
        Assert.Equal("Required in transit", Fact("review-encryption"));
        Assert.Equal("As soon as approved", Fact("review-schedule"));
        Assert.Equal("Rack 12 is retired", Fact("review-justification"));
        Assert.Contains("requires 1 approval(s) from group 'payments-approvers'", Fact("approval-path"));
        Assert.Contains("VMware Tools are outdated on vm-b.", b.QuerySelector("[data-testid=finding]")!.TextContent);
        Assert.NotNull(cards[0].QuerySelector("[data-testid=no-findings]"));
    }

    [Fact]
    public async Task RemoveFromBatch_SubmitsOnlyTheOthers_AndUnblocksTheBatch()
    {
        Backend.FindingsFor = c => c.VmId == BatchWizardBackend.VmB.Id ? [new PrecheckFinding(FindingSeverity.Critical, "cpu", "esx-4 lacks the CPU features vm-b uses.")] : [];
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB, BatchWizardBackend.VmC);
        await TargetsToReview(cut);
        Assert.True(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
        Assert.Contains("remove that VM from the batch", cut.Find("[data-testid=blocked]").TextContent);

        var vmB = cut.FindAll("[data-testid=review-vm]").Single(c => c.GetAttribute("data-vm-name") == "vm-b");
        await vmB.QuerySelector("button[data-testid=remove-vm]")!.ClickAsync(new MouseEventArgs());

        Assert.Equal(["vm-a", "vm-c"], cut.FindAll("[data-testid=review-vm]").Select(c => c.GetAttribute("data-vm-name")));
        Assert.Contains("A batch of 2 requests", cut.Find("[data-testid=review-summary]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=blocked]"));
        Assert.False(cut.Find("button[data-testid=submit]").HasAttribute("disabled"));
        await Submit(cut);
        Assert.Equal([BatchWizardBackend.VmA.Id, BatchWizardBackend.VmC.Id], Backend.Submitted.Select(c => c.VmId));
        Assert.Equal([Backend.BatchId], OpenedBatches);
        Assert.Empty(OpenedRequests);
    }

    [Fact]
    public async Task RemoveFromBatch_IsNotOffered_WhenOneVmIsLeft()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);
        await TargetsToReview(cut);
        await cut.FindAll("button[data-testid=remove-vm]")[0].ClickAsync(new MouseEventArgs());
        Assert.Empty(cut.FindAll("button[data-testid=remove-vm]"));
        await Submit(cut);
        Assert.Equal([BatchWizardBackend.VmB.Id], Backend.Submitted.Select(c => c.VmId));
        Assert.Single(OpenedRequests);
    }

    [Fact]
    public async Task Submit_PutsABatchItemsServerErrorBesideItsVmsRow()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);
        await TargetsToReview(cut);
        Backend.RejectWith = ValidationFailedException.For("Items[1].TargetHostId", "That host went into maintenance mode.");
        await Submit(cut);

        Assert.Equal(2, StepOf(cut));
        Assert.Contains("That host went into maintenance mode.", Row(cut, BatchWizardBackend.VmB).QuerySelector(".mud-input-error")!.TextContent);
        Assert.Null(Row(cut, BatchWizardBackend.VmA).QuerySelector(".mud-input-error"));
        Assert.Empty(OpenedBatches);
    }
}
