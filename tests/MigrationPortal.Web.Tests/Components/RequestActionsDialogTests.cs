using Bunit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Web.Components.Shared;
using MudBlazor;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>Cancel and roll back are confirmed in a dialog that asks why; the reason's message stays beside its field.</summary>
public sealed class RequestActionsDialogTests : ComponentTestContext
{
    private static readonly AllowedActions CancelOnly = new(true, false, false, false);

    [Fact]
    public void Cancel_KeepsSayWhyBesideTheReason_WhenThePageRefreshesWhileTheReasonIsMissing()
    {
        var calls = 0;
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, CancelOnly)
            .Add(c => c.OnAct, (_, _) => { calls++; return Task.FromResult<string?>(null); }));

        cut.Find("button[data-testid=cancel]").Click();
        dialogs.Find("button[data-testid=reason-confirm]").Click();
        // The request page re-renders this bar every second with a fresh copy of the allowed actions.
        for (var tick = 0; tick < 3; tick++) cut.Render(p => p.Add(c => c.Allowed, CancelOnly with { }));

        Assert.Equal(0, calls);
        var field = dialogs.Find("[data-testid=reason-dialog] .mud-input-control");
        Assert.Contains("Say why you cancel.", field.TextContent);
    }

    [Fact]
    public void Cancel_RunsWithTheTrimmedReasonAndClosesTheDialog_WhenConfirmed()
    {
        (RequestActionsBar.RequestAction Action, string Reason)? raised = null;
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, CancelOnly)
            .Add(c => c.OnAct, (a, r) => { raised = (a, r); return Task.FromResult<string?>(null); }));

        cut.Find("button[data-testid=cancel]").Click();
        Assert.Contains("Cancel this request?", dialogs.Markup);
        dialogs.Find("[data-testid=reason-dialog] textarea").Input("  Wrong target  ");
        dialogs.Find("button[data-testid=reason-confirm]").Click();

        Assert.Equal((RequestActionsBar.RequestAction.Cancel, "Wrong target"), raised);
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=reason-dialog]")));
    }

    [Fact]
    public void RollBack_ShowsTheServersRefusalBesideTheReason_AndKeepsTheDialogOpen()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, new AllowedActions(false, false, true, false))
            .Add(c => c.OnAct, (_, _) => Task.FromResult<string?>("The request changed while you were rolling it back. Reload and try again.")));

        cut.Find("button[data-testid=rollback]").Click();
        dialogs.Find("[data-testid=reason-dialog] textarea").Input("App misbehaves");
        dialogs.Find("button[data-testid=reason-confirm]").Click();

        Assert.Contains("changed while you were rolling it back", dialogs.Find("[data-testid=reason-dialog] .mud-input-control").TextContent);
    }

    [Fact]
    public void Back_ClosesTheDialogWithoutActing_WhenThePersonChangesTheirMind()
    {
        var calls = 0;
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, CancelOnly)
            .Add(c => c.OnAct, (_, _) => { calls++; return Task.FromResult<string?>(null); }));

        cut.Find("button[data-testid=cancel]").Click();
        dialogs.Find("[data-testid=reason-dialog] textarea").Input("Wrong target");
        dialogs.Find("button[data-testid=reason-back]").Click();

        Assert.Equal(0, calls);
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=reason-dialog]")));
    }

    [Fact]
    public void Render_ShowsNoReasonBox_WhenTheRequestHasFinished()
    {
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, AllowedActions.None));
        Assert.Empty(cut.FindAll("[data-testid=action-reason]"));
        Assert.Empty(cut.FindAll("textarea, input"));
        Assert.NotNull(cut.Find("[data-testid=no-actions]"));
    }
}
