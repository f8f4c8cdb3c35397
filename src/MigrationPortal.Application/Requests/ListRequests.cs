using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>Requests the user may see, newest first, optionally filtered by state or "mine".</summary>
public sealed class ListRequests(AccessGuard guard)
{
    /// <param name="AwaitingMyDecision">Only pending requests this user may still decide: not their own, not already decided by them, and in their approver group.</param>
    public sealed record Query(RequestState? State = null, bool MineOnly = false, int Skip = 0, int Take = 50, bool AwaitingMyDecision = false);

    public async Task<PagedResult<RequestSummary>> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        new Validation()
            .Require(query.Take is > 0 and <= 500, nameof(query.Take), "Take between 1 and 500 requests.")
            .Require(query.Skip >= 0, nameof(query.Skip), "Skip cannot be negative.")
            .Defined(query.State, nameof(query.State))
            .ThrowIfInvalid();

        var visible = (await guard.VisibleRequestsAsync(user, ct)).AsNoTracking();
        if (query.State is { } state) visible = visible.Where(r => r.State == state);
        if (query.MineOnly) visible = visible.Where(r => r.RequesterId == user.Id);
        if (query.AwaitingMyDecision)
        {
            var groups = (await guard.GroupsOfAsync(user, ct)).ToList();
            visible = visible.Where(r => r.State == RequestState.PendingApproval && r.RequesterId != user.Id
                && !r.Decisions.Any(d => d.ApproverId == user.Id) && (r.ApproverGroup == null || groups.Contains(r.ApproverGroup)));
        }
        var total = await visible.CountAsync(ct);
        // Ordered by CreatedAt on the server; SQLite cannot order DateTimeOffset, so it is stored as ticks (see the DbContext).
        var page = await visible.OrderByDescending(r => r.CreatedAt).Skip(query.Skip).Take(query.Take).ToListAsync(ct);
        return new PagedResult<RequestSummary>(page.Select(r => r.ToSummary()).ToList(), total);
    }
}
