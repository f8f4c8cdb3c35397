using Bunit;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

public sealed class StateNamesTests : ComponentTestContext
{
    [Theory]
    [InlineData(RequestState.PendingApproval, "Pending approval")]
    [InlineData(RequestState.RolledBack, "Rolled back")]
    [InlineData(RequestState.RollingBack, "Rolling back")]
    [InlineData(RequestState.NeedsAttention, "Needs attention")]
    [InlineData(RequestState.Succeeded, "Succeeded")]
    public void StateChip_ShowsTheStateAsWords_WhenTheNameIsCompound(RequestState state, string words)
    {
        var cut = Render<StateChip>(p => p.Add(c => c.State, state));
        Assert.Equal(words, cut.Find("[data-testid=state]").TextContent.Trim());
    }
}
