using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Domain.Tests.Requests;

internal static class RequestFactory
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    public static readonly Actor Requester = new("u-req", "Rita Requester");
    public static readonly Actor Approver1 = new("u-app1", "Anna Approver");
    public static readonly Actor Approver2 = new("u-app2", "Ben Approver");
    public static readonly ApprovalRequirement OneApproval = new(ApprovalOutcome.RequireApprovals, 1, null, "test rule");
    public static readonly ApprovalRequirement TwoApprovals = new(ApprovalOutcome.RequireApprovals, 2, null, "four eyes");
    public static readonly ApprovalRequirement Auto = new(ApprovalOutcome.AutoApprove, 0, null, "auto");

    public static MigrationRequest Draft() => new(Guid.NewGuid(), "vm-1", Guid.NewGuid(), Guid.NewGuid(), "payments", "esx-1", "ds-1",
        MigrationKind.Compute, true, new MigrationTarget(Guid.NewGuid(), "host-2", "esx-2", null, null, null), ScheduleWish.AsSoonAsApproved,
        "Host firmware upgrade", new MigrationOptions(), Requester, Now);

    public static MigrationRequest Pending(ApprovalRequirement? requirement = null)
    {
        var r = Draft();
        r.Submit(Requester, Now, requirement ?? OneApproval, TimeSpan.FromHours(1));
        return r;
    }

    /// <summary>Drives a fresh request into the given state through legal transitions only.</summary>
    public static MigrationRequest InState(RequestState state)
    {
        var r = Draft();
        switch (state)
        {
            case RequestState.Draft: return r;
            case RequestState.Submitted:
                r.Submit(Requester, Now);
                return r;
            case RequestState.PendingApproval: return Pending();
            case RequestState.Rejected: r = Pending(); r.Reject(Approver1, "no", Now); return r;
            case RequestState.Expired: r = Pending(); r.Expire(Now.AddHours(2)); return r;
            case RequestState.Cancelled: r.Cancel(Requester, Now, "changed my mind"); return r;
        }

        r = Pending();
        r.Approve(Approver1, "ok", Now);
        if (state == RequestState.Approved) return r;
        if (state == RequestState.Scheduled) { r.ScheduleFor(Now, Actor.System, Now, "due"); return r; }
        r.Start(Now);
        if (state == RequestState.Running) return r;
        if (state == RequestState.NeedsAttention) { r.RequireAttention(Now, "the hypervisor could not say"); return r; }
        if (state == RequestState.Failed) { r.Fail(Now, "boom"); return r; }
        if (state == RequestState.RollingBack) { r.Fail(Now, "boom"); r.BeginRollback(Approver1, Now, "undo"); return r; }
        r.BeginVerify(Now);
        if (state == RequestState.Verifying) return r;
        r.Succeed(Now, "done");
        if (state == RequestState.Succeeded) return r;
        r.BeginRollback(Approver1, Now, "undo");
        r.CompleteRollback(Now, "back");
        return r; // RolledBack
    }
}
