using Bunit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

public sealed class RequestActionsBarTests : ComponentTestContext
{
    public static TheoryData<bool, bool, bool, bool> Combinations()
    {
        var data = new TheoryData<bool, bool, bool, bool>();
        for (var bits = 0; bits < 16; bits++) data.Add((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Render_ShowsExactlyTheAllowedActions_ForEveryCombination(bool cancel, bool retry, bool rollBack, bool decide)
    {
        var cut = Render<RequestActionsBar>(p => p
            .Add(c => c.Allowed, new AllowedActions(cancel, retry, rollBack, decide))
            .Add(c => c.OnDecide, (_, _) => Task.FromResult<string?>(null)));

        var shown = new[] { "cancel", "retry", "rollback", "approve", "reject" }
            .Where(id => cut.FindAll($"button[data-testid={id}]").Count == 1).ToArray();
        var expected = new[] { (cancel, "cancel"), (retry, "retry"), (rollBack, "rollback"), (decide, "approve"), (decide, "reject") }
            .Where(x => x.Item1).Select(x => x.Item2).ToArray();
        Assert.Equal(expected, shown);
        Assert.Equal(!(cancel || retry || rollBack || decide), cut.FindAll("[data-testid=no-actions]").Count == 1);
    }

    [Fact]
    public void Click_RaisesTheActionWithTheReason_WhenRollBackAllowed()
    {
        (RequestActionsBar.RequestAction Action, string Reason)? raised = null;
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var cut = Render<RequestActionsBar>(p => p
            .Add(c => c.Allowed, new AllowedActions(false, false, true, false))
            .Add(c => c.OnAct, (a, r) => { raised = (a, r); return Task.FromResult<string?>(null); }));
        cut.Find("button[data-testid=rollback]").Click();
        dialogs.Find("[data-testid=reason-dialog] textarea").Input("App misbehaves");
        dialogs.Find("button[data-testid=reason-confirm]").Click();
        Assert.Equal((RequestActionsBar.RequestAction.RollBack, "App misbehaves"), raised);
    }
}
