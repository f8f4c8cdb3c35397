using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// The .ics feed behind a personal link: the windows, blackouts and migrations its owner may see, from a week ago to
/// 90 days ahead, serialised by Ical.Net. The token is the only credential (Outlook cannot sign in); an unknown token is
/// a 404, indistinguishable from a revoked one.
/// </summary>
public sealed class GetCalendarFeed(IPortalDb db, GetCalendar calendar, TimeProvider time)
{
    public async Task<string> HandleAsync(string token, CancellationToken ct = default)
    {
        var hash = CreateCalendarFeed.Hash(token ?? "");
        var feed = await db.CalendarFeeds.AsNoTracking().FirstOrDefaultAsync(f => f.TokenHash == hash, ct) ?? throw new NotFoundException("Calendar feed", "(token)");
        var owner = new PortalUser(feed.UserId, feed.UserName, Split(feed.Roles), Split(feed.Groups));
        var now = time.GetUtcNow();
        var entries = await calendar.HandleAsync(owner, now.AddDays(-7), now.AddDays(90), ct);

        var ics = new Calendar { ProductId = "-//MigrationPortal//Calendar feed//EN" };
        ics.AddProperty("X-WR-CALNAME", $"MigrationPortal: {feed.UserName}");
        foreach (var e in entries)
        {
            ics.Events.Add(new CalendarEvent
            {
                Uid = $"{e.Kind.ToString().ToLowerInvariant()}-{e.SourceId:N}-{e.Start.UtcTicks}@migrationportal",
                Summary = e.Title,
                Description = e.Detail,
                DtStart = new CalDateTime(e.Start.UtcDateTime, "UTC"),
                DtEnd = new CalDateTime(e.End.UtcDateTime, "UTC"),
                DtStamp = new CalDateTime(now.UtcDateTime, "UTC"),
                Transparency = e.Kind == CalendarEntryKind.Migration ? TransparencyType.Opaque : TransparencyType.Transparent,
            });
        }

        return new CalendarSerializer().SerializeToString(ics) ?? "";
    }

    private static HashSet<string> Split(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
