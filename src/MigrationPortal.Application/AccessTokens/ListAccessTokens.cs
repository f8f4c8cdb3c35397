using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.AccessTokens;

/// <summary>
/// Your own tokens, newest first; an Administrator may ask for everyone's (to find and revoke a leaked one). Expired and
/// revoked tokens stay listed, with their state, so "what did this script use" can still be answered.
/// </summary>
public sealed class ListAccessTokens(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<IReadOnlyList<AccessTokenView>> HandleAsync(PortalUser user, bool everyone = false, CancellationToken ct = default)
    {
        if (everyone) await guard.RequireRoleAsync(user, "access-token.list-all", ct, Roles.Administrator);
        var query = db.AccessTokens.AsNoTracking();
        if (!everyone) query = query.Where(t => t.UserId == user.Id);
        var tokens = await query.ToListAsync(ct);
        var now = time.GetUtcNow();
        // Ordered here: SQLite cannot order by a DateTimeOffset column.
        return tokens.OrderByDescending(t => t.CreatedAt).Select(t => AccessTokenView.From(t, now)).ToList();
    }
}
