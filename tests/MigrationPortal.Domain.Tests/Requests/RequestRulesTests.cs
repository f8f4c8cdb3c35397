using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Domain.Tests.Requests.RequestFactory;

namespace MigrationPortal.Domain.Tests.Requests;

/// <summary>The named state sets and the aggregate's own rules for cancel, retry, roll back and decide.</summary>
public class RequestRulesTests
{
    [Fact]
    public void StateSets_HoldExactlyTheNamedStates()
    {
        Assert.Equal([RequestState.Running, RequestState.Verifying, RequestState.RollingBack], RequestTransitions.InFlight.Order());
        Assert.Equal([RequestState.Succeeded, RequestState.Failed], RequestTransitions.Finished.Order());
        Assert.Equal([RequestState.Submitted, RequestState.PendingApproval, RequestState.Approved], RequestTransitions.Waiting.Order());
        Assert.Equal([RequestState.Submitted, RequestState.PendingApproval], RequestTransitions.AwaitingDecision.Order());
        Assert.Equal([RequestState.Scheduled, RequestState.Running, RequestState.Verifying, RequestState.NeedsAttention], RequestTransitions.HoldingCapacity.Order());
        Assert.Equal([RequestState.Rejected, RequestState.Expired, RequestState.Cancelled, RequestState.RolledBack], RequestTransitions.Terminal.Order());
        Assert.Equal([RequestState.Submitted, RequestState.PendingApproval, RequestState.Approved, RequestState.Scheduled, RequestState.Running,
            RequestState.Verifying, RequestState.RollingBack, RequestState.NeedsAttention], RequestTransitions.Active.Order());
    }

    [Fact]
    public void StateSets_AreConsistent_WithEachOther()
    {
        Assert.Subset(RequestTransitions.Active.ToHashSet(), RequestTransitions.InFlight.ToHashSet());
        Assert.Subset(RequestTransitions.Active.ToHashSet(), RequestTransitions.Waiting.ToHashSet());
        Assert.Subset(RequestTransitions.Waiting.ToHashSet(), RequestTransitions.AwaitingDecision.ToHashSet());
        Assert.Subset(RequestTransitions.Active.ToHashSet(), RequestTransitions.HoldingCapacity.ToHashSet());
        Assert.Empty(RequestTransitions.Active.Intersect(RequestTransitions.Terminal));
        Assert.Empty(RequestTransitions.Active.Intersect(RequestTransitions.Finished));
        // Every active state can still move, and a finished one only by rolling back or retrying.
        Assert.All(RequestTransitions.Active, s => Assert.NotEmpty(RequestTransitions.Allowed[s]));
    }

    public static TheoryData<RequestState> AllStates() => new(Enum.GetValues<RequestState>());

    [Theory]
    [MemberData(nameof(AllStates))]
    public void BeginRollback_IsAllowed_OnlyWhenFinished(RequestState state)
    {
        var r = InState(state);
        Assert.Equal(RequestTransitions.Finished.Contains(state), r.CanRollBack);
        var attempt = Record.Exception(() => r.BeginRollback(Approver1, Now, "undo"));
        if (RequestTransitions.Finished.Contains(state))
        {
            Assert.Null(attempt);
            Assert.Equal(RequestState.RollingBack, r.State);
        }
        else
        {
            Assert.IsAssignableFrom<DomainException>(attempt);
            Assert.Equal(state, r.State);
        }
    }

    [Fact]
    public void BeginRollback_Throws_WhenRunning()
    {
        var r = InState(RequestState.Running);
        var e = Assert.Throws<DomainException>(() => r.BeginRollback(Approver1, Now, "undo"));
        Assert.Contains("Cancel a running migration instead", e.Message);
        Assert.Equal(RequestState.Running, r.State);
    }

    [Theory]
    [InlineData(RequestState.PendingApproval)]
    [InlineData(RequestState.Submitted)]
    public void Retry_Throws_WhenNotFailed(RequestState state)
    {
        // The transition table lets these reach Approved (by a decision or a policy); a retry must not skip the approval.
        var r = InState(state);
        Assert.False(r.CanRetry);
        Assert.Throws<DomainException>(() => r.Retry(Approver1, Now, "again"));
        Assert.Equal(state, r.State);
    }

    [Fact]
    public void CanCancel_IsFalse_WhenCancelAlreadyRequestedOrVmMoved()
    {
        var running = InState(RequestState.Running);
        Assert.True(running.CanCancel);
        running.Cancel(Approver1, Now, "stop");
        Assert.False(running.CanCancel);
        foreach (var s in new[] { RequestState.Verifying, RequestState.RollingBack, RequestState.Succeeded, RequestState.Failed, RequestState.Cancelled })
            Assert.False(InState(s).CanCancel, s.ToString());
        foreach (var s in new[] { RequestState.Draft, RequestState.Submitted, RequestState.PendingApproval, RequestState.Approved, RequestState.Scheduled })
            Assert.True(InState(s).CanCancel, s.ToString());
    }

    [Fact]
    public void CanBeDecidedBy_IsFalse_ForRequesterAndForASecondDecision()
    {
        var r = Pending(TwoApprovals);
        Assert.True(r.CanBeDecidedBy(Approver1.Id));
        Assert.False(r.CanBeDecidedBy(Requester.Id));
        r.Approve(Approver1, "ok", Now);
        Assert.False(r.CanBeDecidedBy(Approver1.Id));
        Assert.True(r.CanBeDecidedBy(Approver2.Id));
        Assert.False(InState(RequestState.Approved).CanBeDecidedBy(Approver2.Id));
    }
}
