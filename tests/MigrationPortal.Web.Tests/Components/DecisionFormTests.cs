using Bunit;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

public sealed class DecisionFormTests : ComponentTestContext
{
    [Fact]
    public void Decide_ShowsMessageBesideComment_WhenCommentMissing_AndDoesNotCallServer()
    {
        var calls = 0;
        var cut = Render<DecisionForm>(p => p.Add(c => c.OnDecide, (_, _) => { calls++; return Task.FromResult<string?>(null); }));
        cut.Find("[data-testid=approve] button, button[data-testid=approve]").Click();
        Assert.Equal(0, calls);
        Assert.Contains("A comment is required", cut.Markup);
    }

    [Fact]
    public void Decide_PassesVerdictAndTrimmedComment_AndShowsServerProblem()
    {
        (Verdict Verdict, string Comment)? received = null;
        var cut = Render<DecisionForm>(p => p.Add(c => c.OnDecide, (v, c) =>
        {
            received = (v, c);
            return Task.FromResult<string?>("Another approver decided on this request at the same moment.");
        }));
        cut.Find("[data-testid=decision-comment] textarea, textarea").Input("  Not during quarter end  ");
        cut.Find("button[data-testid=reject]").Click();
        Assert.Equal((Verdict.Reject, "Not during quarter end"), received);
        Assert.Contains("same moment", cut.Find("[data-testid=decision-problem]").TextContent);
    }
}
