using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// One request with its timeline, decisions, itinerary and live progress, and the actions the caller may take on it now.
/// 404 if unknown, 403 if not the user's.
/// </summary>
public sealed class GetRequest(IPortalDb db, AccessGuard guard, RequestActionRules rules)
{
    public async Task<RequestDetails> HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(id, ct);
        await guard.RequireCanViewAsync(user, request, ct);
        var progress = await db.Progress.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == id, ct);
        return request.ToDetails(progress, await rules.ForAsync(user, request, ct));
    }
}
