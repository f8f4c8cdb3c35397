using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// Any signed-in user creates (or replaces) their personal .ics feed link. The token is returned once and only its hash
/// is stored; a new link makes the old one stop working.
/// </summary>
public sealed class CreateCalendarFeed(IPortalDb db, TimeProvider time)
{
    public sealed record Created(string Token, string Path);

    public static string Hash(string token) => Common.SecretTokens.Sha256Hex(token);

    public async Task<Created> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        if (user.IsSystemUser()) throw new Common.ForbiddenException("The system account has no calendar.");
        var token = Common.SecretTokens.NewBase64Url();
        var now = time.GetUtcNow();
        var feed = await db.CalendarFeeds.FirstOrDefaultAsync(f => f.UserId == user.Id, ct);
        if (feed is null) db.CalendarFeeds.Add(new CalendarFeed(user.Id, user.Name, Hash(token), user.Roles, user.Groups, now));
        else feed.Replace(user.Name, Hash(token), user.Roles, user.Groups, now);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.CalendarFeedCreated, nameof(CalendarFeed), user.Id,
            new { replaced = feed is not null, roles = user.Roles });
        await db.SaveChangesAsync(ct);
        return new Created(token, $"/feeds/calendar/{token}.ics");
    }
}
