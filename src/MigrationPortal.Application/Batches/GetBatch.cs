using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Batches;

/// <summary>A batch as its page shows it: its name, who asked and why, and each member request with its state now.</summary>
public sealed record BatchDetails(Guid Id, string Name, DateTimeOffset CreatedAt, string RequesterName, string Justification, IReadOnlyList<RequestSummary> Requests);

/// <summary>
/// One batch with the member requests the caller may see (404 if unknown; 403, audited, if they may see none of them: a
/// batch's members are one requester's, so whoever may see that requester's requests sees the batch).
/// </summary>
public sealed class GetBatch(IPortalDb db, AccessGuard guard)
{
    public async Task<BatchDetails> HandleAsync(PortalUser user, Guid batchId, CancellationToken ct = default)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct) ?? throw new NotFoundException("Batch", batchId);
        var members = await (await guard.VisibleRequestsAsync(user, ct)).AsNoTracking().Where(r => r.BatchId == batchId).ToListAsync(ct);
        if (members.Count == 0)
            await guard.DenyAsync(user, "batch.view", "MigrationBatch", batchId.ToString(), "This batch's requests belong to applications you do not own.", ct);

        var ordered = members.OrderBy(r => r.VmName, StringComparer.OrdinalIgnoreCase).ToList();
        return new BatchDetails(batch.Id, batch.Name, batch.CreatedAt, ordered[0].RequesterName, ordered[0].Justification, ordered.Select(r => r.ToSummary()).ToList());
    }
}
