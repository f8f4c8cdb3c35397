using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Access;

namespace MigrationPortal.Application.AccessTokens;

/// <summary>
/// The owner, or an Administrator, revokes a token: it stops working at its next call, on every node (each call reads the
/// token's row). Revoking a revoked token changes nothing and answers the same. Someone else's token is "not found" to a
/// non-Administrator, so token IDs cannot be probed.
/// </summary>
public sealed class RevokeAccessToken(IPortalDb db, TimeProvider time)
{
    public async Task<AccessTokenView> HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (token is null || (token.UserId != user.Id && !user.IsIn(Roles.Administrator))) throw new NotFoundException("Access token", id);
        var now = time.GetUtcNow();
        if (!token.IsRevoked)
        {
            token.Revoke(user.Name, now);
            AuditLog.Record(db, now, user.AsActor(), AuditActions.AccessTokenRevoked, nameof(AccessToken), token.Id.ToString(),
                new { token = token.Name, prefix = token.DisplayPrefix, owner = token.UserName, byOwner = token.UserId == user.Id });
            await db.SaveChangesAsync(ct);
        }

        return AccessTokenView.From(token, now);
    }
}
