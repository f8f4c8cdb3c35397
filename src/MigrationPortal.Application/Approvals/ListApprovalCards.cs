using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Approvals;

namespace MigrationPortal.Application.Approvals;

/// <summary>What an inbox card shows beyond the request's summary: why, the policy that applies, and approvals so far.</summary>
public sealed record ApprovalCard(Guid RequestId, string Justification, string? PolicyReason, int RequiredApprovals, int Approvals);

/// <summary>
/// The cards of one page of the approvals inbox, in one query. The page used to read each card's whole request
/// (<c>GetRequest</c>: timeline, steps, progress, audit look-ups) one by one; a card needs four columns and a count.
/// Requests the user may not see are left out, as are unknown IDs.
/// </summary>
public sealed class ListApprovalCards(AccessGuard guard)
{
    public const int MaxCards = 100;

    public async Task<IReadOnlyDictionary<Guid, ApprovalCard>> HandleAsync(PortalUser user, IReadOnlyCollection<Guid> requestIds, CancellationToken ct = default)
    {
        new Validation().Require(requestIds.Count <= MaxCards, "RequestIds", $"Ask for at most {MaxCards} cards at a time.").ThrowIfInvalid();
        if (requestIds.Count == 0) return new Dictionary<Guid, ApprovalCard>();
        var ids = requestIds.Distinct().ToList();
        var visible = await guard.VisibleRequestsAsync(user, ct);
        return await visible.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new ApprovalCard(r.Id, r.Justification, r.PolicyReason, r.RequiredApprovals, r.Decisions.Count(d => d.Verdict == Verdict.Approve)))
            .ToDictionaryAsync(c => c.RequestId, ct);
    }
}
