using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Web.Components.Shared;
using MudBlazor;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>Decisions are confirmed: a snackbar once recorded, and a dialog first when several requests are decided at once.</summary>
public sealed class DecisionConfirmationTests : ComponentTestContext
{
    private ISnackbar Snackbar => Services.GetRequiredService<ISnackbar>();

    [Theory]
    [InlineData(Verdict.Approve, "approve", "Approved: this request.")]
    [InlineData(Verdict.Reject, "reject", "Rejected: this request.")]
    public void Decide_ConfirmsWithASnackbar_WhenTheDecisionIsRecorded(Verdict verdict, string button, string message)
    {
        Verdict? received = null;
        var cut = Render<DecisionForm>(p => p.Add(c => c.OnDecide, (v, _) => { received = v; return Task.FromResult<string?>(null); }));
        cut.Find("textarea").Input("Fine by me");
        cut.Find($"button[data-testid={button}]").Click();

        Assert.Equal(verdict, received);
        Assert.Contains(Snackbar.ShownSnackbars, s => s.Message == message && s.Severity == Severity.Success);
    }

    [Fact]
    public void Decide_ShowsNoSnackbar_WhenTheServerRefuses()
    {
        var cut = Render<DecisionForm>(p => p.Add(c => c.OnDecide, (_, _) => Task.FromResult<string?>("Already decided.")));
        cut.Find("textarea").Input("Fine by me");
        cut.Find("button[data-testid=approve]").Click();

        Assert.Empty(Snackbar.ShownSnackbars);
        Assert.Contains("Already decided.", cut.Find("[data-testid=decision-problem]").TextContent);
    }

    [Fact]
    public void Decide_AsksInADialogFirst_WhenSeveralRequestsAreDecided()
    {
        var calls = 0;
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<DecisionForm>(p => p.Add(c => c.Confirm, true).Add(c => c.Subject, "3 requests")
            .Add(c => c.OnDecide, (_, _) => { calls++; return Task.FromResult<string?>(null); }));
        cut.Find("textarea").Input("Agreed in CAB");
        cut.Find("button[data-testid=approve]").Click();

        Assert.Equal(0, calls);
        Assert.Contains("Approve 3 requests?", dialogs.Markup);
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Approve").Click();

        cut.WaitForAssertion(() => Assert.Equal(1, calls));
        Assert.Contains(Snackbar.ShownSnackbars, s => s.Message == "Approved: 3 requests.");
    }

    [Fact]
    public void Decide_DoesNothing_WhenTheDialogIsDismissed()
    {
        var calls = 0;
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<DecisionForm>(p => p.Add(c => c.Confirm, true).Add(c => c.Subject, "3 requests")
            .Add(c => c.OnDecide, (_, _) => { calls++; return Task.FromResult<string?>(null); }));
        cut.Find("textarea").Input("Agreed in CAB");
        cut.Find("button[data-testid=reject]").Click();
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Back").Click();

        Assert.Equal(0, calls);
        Assert.Empty(Snackbar.ShownSnackbars);
    }
}
