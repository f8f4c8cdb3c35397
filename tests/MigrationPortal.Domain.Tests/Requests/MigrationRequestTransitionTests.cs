using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Domain.Tests.Requests.RequestFactory;

namespace MigrationPortal.Domain.Tests.Requests;

public class MigrationRequestTransitionTests
{
    public static TheoryData<RequestState, RequestState> AllPairs()
    {
        var data = new TheoryData<RequestState, RequestState>();
        foreach (var from in Enum.GetValues<RequestState>())
        foreach (var to in Enum.GetValues<RequestState>())
            data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Move_FollowsTheTable_ForEveryPairOfStates(RequestState from, RequestState to)
    {
        var request = InState(from);
        Assert.Equal(from, request.State);
        var legal = RequestTransitions.IsAllowed(from, to);
        var attempt = Record.Exception(() => MoveTo(request, to));

        if (legal)
        {
            Assert.Null(attempt);
            Assert.Equal(to, request.State);
            var last = request.Transitions[^1];
            Assert.Equal(from, last.From);
            Assert.Equal(to, last.To);
            Assert.False(string.IsNullOrWhiteSpace(last.ActorId));
            Assert.False(string.IsNullOrWhiteSpace(last.Reason));
            Assert.True(last.At >= Now);
        }
        else
        {
            Assert.IsAssignableFrom<DomainException>(attempt);
            Assert.Equal(from, request.State);
        }
    }

    [Fact]
    public void TransitionTable_ListsEveryState()
    {
        Assert.Equal(Enum.GetValues<RequestState>().Length, RequestTransitions.Allowed.Count);
    }

    [Fact]
    public void Submit_AutoApproves_WhenPolicySaysSo()
    {
        var r = Draft();
        r.Submit(Requester, Now, Auto, TimeSpan.FromHours(1));
        Assert.Equal(RequestState.Approved, r.State);
        Assert.Equal([RequestState.Submitted, RequestState.Approved], r.Transitions.Select(t => t.To));
    }

    [Fact]
    public void Approve_NeedsTwoDistinctPeople_WhenFourEyesRuleApplies()
    {
        var r = Pending(TwoApprovals);
        r.Approve(Approver1, "fine by me", Now);
        Assert.Equal(RequestState.PendingApproval, r.State);
        Assert.Throws<DomainException>(() => r.Approve(Approver1, "again", Now));
        r.Approve(Approver2, "fine too", Now);
        Assert.Equal(RequestState.Approved, r.State);
        Assert.Equal(2, r.ApprovalCount);
    }

    [Fact]
    public void Approve_Throws_WhenRequesterApprovesOwnRequest()
    {
        var r = Pending();
        var e = Assert.Throws<DomainException>(() => r.Approve(Requester, "self", Now));
        Assert.Contains("own request", e.Message);
        Assert.Equal(RequestState.PendingApproval, r.State);
    }

    [Fact]
    public void Decide_Throws_WhenCommentMissing()
    {
        var r = Pending();
        Assert.Throws<DomainException>(() => r.Approve(Approver1, "  ", Now));
        Assert.Throws<DomainException>(() => r.Reject(Approver1, "", Now));
    }

    [Fact]
    public void Expire_Throws_BeforeExpiryTime()
    {
        var r = Pending();
        Assert.Throws<DomainException>(() => r.Expire(Now.AddMinutes(30)));
        r.Expire(Now.AddHours(1));
        Assert.Equal(RequestState.Expired, r.State);
    }

    [Fact]
    public void Cancel_WhileRunning_OnlyRequestsCancellation()
    {
        var r = InState(RequestState.Running);
        Assert.False(r.Cancel(Approver1, Now, "stop"));
        Assert.True(r.CancelRequested);
        Assert.Equal(RequestState.Running, r.State);
        r.ConfirmCancelled(Now, "stopped");
        Assert.Equal(RequestState.Cancelled, r.State);
    }

    private static void MoveTo(MigrationRequest r, RequestState to)
    {
        switch (to)
        {
            case RequestState.Draft: throw new IllegalTransitionException(r.State.ToString(), "Draft", "test");
            case RequestState.Submitted: r.Submit(Requester, Now); break;
            case RequestState.PendingApproval: r.ApplyPolicy(OneApproval, Now, TimeSpan.FromHours(1)); break;
            case RequestState.Approved:
                if (r.State == RequestState.Failed) { r.Retry(Approver1, Now, "try again"); break; }
                if (r.State == RequestState.Submitted) { r.ApplyPolicy(Auto, Now, TimeSpan.FromHours(1)); break; }
                r.Approve(Approver1, "ok", Now); break;
            case RequestState.Rejected: r.Reject(Approver1, "no", Now); break;
            case RequestState.Expired: r.Expire(Now.AddDays(30)); break;
            case RequestState.Scheduled: r.ScheduleFor(Now, Actor.System, Now, "due"); break;
            case RequestState.Running:
                if (r.State == RequestState.NeedsAttention) { r.Recheck(Approver1, Now, "looked"); break; }
                r.Start(Now); break;
            case RequestState.NeedsAttention: r.RequireAttention(Now, "the hypervisor could not say"); break;
            case RequestState.Verifying: r.BeginVerify(Now); break;
            case RequestState.Succeeded: r.Succeed(Now, "done"); break;
            case RequestState.Failed:
                if (r.State == RequestState.RollingBack) { r.FailRollback(Now, "stuck"); break; }
                r.Fail(Now, "boom"); break;
            case RequestState.Cancelled:
                if (r.State == RequestState.Running) { r.ConfirmCancelled(Now, "stopped"); break; }
                if (!r.Cancel(Requester, Now, "stop")) throw new DomainException("cancel only requested");
                break;
            case RequestState.RollingBack: r.BeginRollback(Approver1, Now, "undo"); break;
            case RequestState.RolledBack: r.CompleteRollback(Now, "back"); break;
        }
    }
}
