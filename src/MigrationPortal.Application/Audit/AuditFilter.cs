using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Application.Audit;

/// <summary>Filters shared by the audit grid, the exports and the API. Every criterion is optional.</summary>
public sealed record AuditFilter(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Actor = null, string? VmName = null, Guid? RequestId = null, string? Action = null)
{
    /// <summary>The checks the grid, the exports and the API share; the database would refuse a NUL in a filter.</summary>
    public Validation Check(Validation check) => check
        .Require(From is null || To is null || From < To, nameof(To), "The end of the range must come after its start.")
        .Text(Actor, nameof(Actor), TextLimits.Filter)
        .Text(VmName, "Vm", TextLimits.Filter)
        .Text(Action, nameof(Action), TextLimits.Filter);

    public IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events)
    {
        // Time bounds compare on the sequence-ordered UTC instant; see the DbContext for how SQLite stores it.
        if (From is { } from) events = events.Where(e => e.At >= from);
        if (To is { } to) events = events.Where(e => e.At < to);
        // An actor is an exact ID (a GUID or "system") or part of a name; action and VM match parts, ignoring case, so
        // "approv" finds request.approved and batch.approved, and "web" finds every web VM.
        if (TextSearch.ContainsPattern(Actor) is { } actor)
        {
            var id = Actor!.Trim();
            events = events.Where(e => e.ActorId == id || EF.Functions.Like(e.ActorName.ToLower(), actor, TextSearch.EscapeCharacter));
        }

        if (RequestId is { } requestId) events = events.Where(e => e.RequestId == requestId);
        return events.WhereContains(e => e.VmName, VmName).WhereContains(e => e.Action, Action);
    }
}

public sealed record AuditEventView(long Sequence, DateTimeOffset At, string ActorId, string ActorName, string Action, string? EntityType, string? EntityId,
    string? VmName, Guid? RequestId, string Details, bool IsDemo, string Hash)
{
    public static AuditEventView From(AuditEvent e) => new(e.Sequence, e.At, e.ActorId, e.ActorName, e.Action, e.EntityType, e.EntityId, e.VmName, e.RequestId, e.Details, e.IsDemo, e.Hash);
}
