using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Notifications;

public enum BellKind
{
    ApprovalNeeded,
    Started,
    Succeeded,
    Failed,

    /// <summary>A post-move watch found a regression: for the requester and the Operators.</summary>
    Regressed,
}

/// <summary>One line in the app bar's bell: what happened to which request, and when.</summary>
public sealed record BellItem(BellKind Kind, Guid RequestId, string VmName, DateTimeOffset At);

/// <param name="Items">Newest first, at most <see cref="GetBellNotifications.MaxItems"/>.</param>
public sealed record BellView(IReadOnlyList<BellItem> Items, int ApprovalsNeeded);

/// <summary>
/// The bell's contents, read from the database on every call (never from memory), so each node shows the same:
/// requests awaiting this approver's decision (the inbox's own rule) and, for the requester, the runs of their own
/// requests that started, succeeded or failed in the last <see cref="Window"/>.
/// </summary>
public sealed class GetBellNotifications(ListRequests list, AccessGuard guard, Abstractions.IPortalDb db, TimeProvider time)
{
    public const int MaxItems = 20;

    /// <summary>How far back a start or outcome is still news.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public async Task<BellView> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        var items = new List<BellItem>();
        var approvals = 0;
        if (user.IsIn(Roles.Approver))
        {
            var awaiting = await list.HandleAsync(user, new ListRequests.Query(Take: MaxItems, AwaitingMyDecision: true), ct);
            approvals = awaiting.Total;
            items.AddRange(awaiting.Items.Select(r => new BellItem(BellKind.ApprovalNeeded, r.Id, r.VmName, r.CreatedAt)));
        }

        var since = time.GetUtcNow() - Window;
        var news = new[] { RequestState.Running, RequestState.Succeeded, RequestState.Failed };
        var mine = (await guard.VisibleRequestsAsync(user, ct)).AsNoTracking().Where(r => r.RequesterId == user.Id);
        // A retried request enters Running again: each start is news. The newest transitions first, on the server.
        var outcomes = await mine
            .SelectMany(r => r.Transitions.Where(t => news.Contains(t.To) && t.At >= since), (r, t) => new { r.Id, r.VmName, t.To, t.At })
            .OrderByDescending(x => x.At).Take(MaxItems).ToListAsync(ct);
        items.AddRange(outcomes.Select(o => new BellItem(o.To switch
        {
            RequestState.Running => BellKind.Started,
            RequestState.Succeeded => BellKind.Succeeded,
            _ => BellKind.Failed,
        }, o.Id, o.VmName, o.At)));

        // Regressions after a move: the requester's own and, for Operators, every one they can see.
        var watched = user.IsInAny(Roles.Operator, Roles.Administrator) ? await guard.VisibleRequestsAsync(user, ct) : mine;
        var regressions = await db.PostMoveWatches.AsNoTracking()
            .Where(w => w.State == Domain.Utilisation.WatchState.Regressed && w.EvaluatedAt >= since)
            .Join(watched, w => w.RequestId, r => r.Id, (w, r) => new { r.Id, r.VmName, w.EvaluatedAt })
            .OrderByDescending(x => x.EvaluatedAt).Take(MaxItems).ToListAsync(ct);
        items.AddRange(regressions.Select(x => new BellItem(BellKind.Regressed, x.Id, x.VmName, x.EvaluatedAt!.Value)));

        return new BellView(items.OrderByDescending(i => i.At).Take(MaxItems).ToList(), approvals);
    }
}
