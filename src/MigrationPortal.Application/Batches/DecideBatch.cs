using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Batches;

/// <summary>
/// An approver decides every pending request of a batch at once, with one comment. Each request is decided through the
/// same rules as a single decision (role, approver group, no self-approval, four eyes), and the result lists each outcome.
/// </summary>
public sealed class DecideBatch(IPortalDb db, DecideRequest decide, AccessGuard guard)
{
    public sealed record Command(Guid BatchId, string Comment);

    public sealed record Outcome(Guid RequestId, string VmName, RequestState? State, string? Problem);

    public async Task<IReadOnlyList<Outcome>> HandleAsync(PortalUser user, Command command, Verdict verdict, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, verdict == Verdict.Approve ? "batch.approve" : "batch.reject", ct, Roles.Approver);
        if (!await db.Batches.AnyAsync(b => b.Id == command.BatchId, ct)) throw new NotFoundException("Batch", command.BatchId);
        new Validation().Text(command.Comment, nameof(command.Comment), TextLimits.Comment, "A comment is required with every decision.").ThrowIfInvalid();

        var pending = await db.Requests.AsNoTracking().Where(r => r.BatchId == command.BatchId && r.State == RequestState.PendingApproval)
            .OrderBy(r => r.VmName).Select(r => new { r.Id, r.VmName }).ToListAsync(ct);
        var outcomes = new List<Outcome>();
        foreach (var request in pending)
        {
            try
            {
                var decided = await decide.HandleAsync(user, request.Id, verdict, command.Comment, ct);
                outcomes.Add(new Outcome(request.Id, request.VmName, decided.State, null));
            }
            catch (Exception e) when (e is ForbiddenException or ValidationFailedException or ConflictException)
            {
                db.DiscardChanges();
                outcomes.Add(new Outcome(request.Id, request.VmName, null, e.Message));
            }
        }

        return outcomes;
    }
}
