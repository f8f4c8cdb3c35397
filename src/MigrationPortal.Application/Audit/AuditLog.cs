using System.Text.Json;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Audit;

/// <summary>
/// Adds audit events to the current unit of work. They are sealed into the hash chain when the unit of work saves,
/// so they commit in the same transaction as the change they describe.
/// </summary>
public static class AuditLog
{
    public static void Record(IPortalDb db, DateTimeOffset at, Actor actor, string action, string? entityType, string? entityId,
        object? details, string? vmName = null, Guid? requestId = null, bool isDemo = false)
    {
        var text = details switch
        {
            null => "",
            string s => s,
            _ => JsonSerializer.Serialize(details),
        };
        db.AuditEvents.Add(new AuditEvent(at, actor.Id, actor.Name, action, entityType, entityId, vmName, requestId, text, isDemo));
    }

    public static void ForRequest(IPortalDb db, DateTimeOffset at, Actor actor, string action, MigrationRequest request, object? details) =>
        Record(db, at, actor, action, "MigrationRequest", request.Id.ToString(), details, request.VmName, request.Id, request.IsDemo);

    /// <summary>Records every transition the request made since <paramref name="transitionsBefore"/>, one event each.</summary>
    public static void TransitionsSince(IPortalDb db, MigrationRequest request, int transitionsBefore)
    {
        foreach (var t in request.Transitions.Skip(transitionsBefore))
        {
            ForRequest(db, t.At, new Actor(t.ActorId, t.ActorName), AuditActions.RequestTransition, request,
                new { from = t.From.ToString(), to = t.To.ToString(), reason = t.Reason });
        }
    }
}
