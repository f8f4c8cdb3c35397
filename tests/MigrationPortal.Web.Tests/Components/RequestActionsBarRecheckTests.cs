using Bunit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>"Check again" is shown exactly when GetRequest allows it, and raises the recheck action.</summary>
public sealed class RequestActionsBarRecheckTests : ComponentTestContext
{
    [Fact]
    public void Click_RaisesRecheck_WhenCheckAgainAllowed()
    {
        RequestActionsBar.RequestAction? raised = null;
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p
            .Add(c => c.Allowed, new AllowedActions(false, false, false, false, Recheck: true))
            .Add(c => c.OnAct, (a, _) => { raised = a; return Task.FromResult<string?>(null); }));

        Assert.Empty(cut.FindAll("[data-testid=no-actions]"));
        cut.Find("button[data-testid=recheck]").Click();
        dialogs.Find("[data-testid=reason-dialog] textarea").Input("The host came back");
        dialogs.Find("button[data-testid=reason-confirm]").Click();
        Assert.Equal(RequestActionsBar.RequestAction.Recheck, raised);
    }

    [Fact]
    public void Render_HidesCheckAgain_WhenNotAllowed()
    {
        var cut = Render<RequestActionsBar>(p => p.Add(c => c.Allowed, new AllowedActions(true, true, true, false)));
        Assert.Empty(cut.FindAll("button[data-testid=recheck]"));
    }
}
