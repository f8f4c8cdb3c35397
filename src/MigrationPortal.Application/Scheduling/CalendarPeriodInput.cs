using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// What a person enters for a window or a blackout. The scope names a connection (<see cref="ScopeConnectionId"/>), a
/// cluster or host of a connection (<see cref="ScopeConnectionId"/> and <see cref="ScopeItem"/>: the cluster's name or the
/// host's hypervisor ID), or an application (<see cref="ScopeApplicationId"/>). <see cref="LocalStart"/> is wall-clock time
/// in <see cref="TimeZoneId"/>.
/// </summary>
public sealed record CalendarPeriodInput(
    string Name,
    RecurrenceKind Recurrence,
    string? Expression,
    string TimeZoneId,
    DateTime LocalStart,
    int DurationMinutes,
    WindowScopeKind? ScopeKind = null,
    Guid? ScopeConnectionId = null,
    string? ScopeItem = null,
    Guid? ScopeApplicationId = null,
    bool Enabled = true);

/// <summary>Checks an input and resolves its scope against the inventory; every problem is reported beside its field.</summary>
public static class CalendarPeriodValidation
{
    /// <param name="nameTaken">Why the name cannot be used (another period has it), reported with the other fields' problems.</param>
    public static async Task<WindowScope?> ValidateAsync(IPortalDb db, CalendarPeriodInput input, bool scopeRequired, CancellationToken ct, string? nameTaken = null)
    {
        var check = new Validation();
        if (nameTaken is not null) check.Add(nameof(input.Name), nameTaken);
        check.Text(input.Name?.Trim(), nameof(input.Name), TextLimits.WindowName, "Name it.")
            .Text(input.Expression, nameof(input.Expression), TextLimits.Expression)
            .Text(input.TimeZoneId, nameof(input.TimeZoneId), TextLimits.TimeZoneId)
            .Text(input.ScopeItem, nameof(input.ScopeItem), TextLimits.ExternalId)
            .Defined<RecurrenceKind>(input.Recurrence, nameof(input.Recurrence))
            .Defined(input.ScopeKind, nameof(input.ScopeKind));
        check.Require(input.LocalStart.Year >= 2000, nameof(input.LocalStart), "Enter the local start date and time.");
        check.Require(input.DurationMinutes > 0, nameof(input.DurationMinutes), "The duration must be longer than zero minutes.");
        check.Require(input.DurationMinutes <= 14 * 24 * 60, nameof(input.DurationMinutes), "A period lasts at most 14 days (20,160 minutes).");
        try
        {
            new WindowSchedule(input.Recurrence, input.Expression, input.TimeZoneId ?? "", input.LocalStart, TimeSpan.FromMinutes(Math.Max(1, input.DurationMinutes))).Validate();
        }
        catch (ValidationFailedException e)
        {
            foreach (var (field, messages) in e.Errors.Where(e => e.Key != nameof(WindowSchedule.Duration)))
                foreach (var message in messages) check.Add(field, message);
        }

        var scope = await ResolveScopeAsync(db, input, scopeRequired, check, ct);
        check.ThrowIfInvalid();
        return scope;
    }

    private static async Task<WindowScope?> ResolveScopeAsync(IPortalDb db, CalendarPeriodInput input, bool scopeRequired, Validation check, CancellationToken ct)
    {
        if (input.ScopeKind is { } unknown && !Enum.IsDefined(unknown)) return null;
        if (!TextRules.Fits(input.ScopeItem, TextLimits.ExternalId)) return null;
        if (input.ScopeKind is not { } kind)
        {
            check.Require(!scopeRequired, nameof(input.ScopeKind), "Choose what the window covers: a connection, cluster, host or application.");
            return null;
        }

        if (kind == WindowScopeKind.Application)
        {
            var app = input.ScopeApplicationId is { } appId ? await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == appId, ct) : null;
            if (app is null) { check.Add(nameof(input.ScopeApplicationId), "Choose an existing application."); return null; }
            return new WindowScope(kind, null, app.Id.ToString(), app.Name);
        }

        var connection = input.ScopeConnectionId is { } connectionId ? await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct) : null;
        if (connection is null) { check.Add(nameof(input.ScopeConnectionId), "Choose an existing connection."); return null; }
        switch (kind)
        {
            case WindowScopeKind.Connection:
                return new WindowScope(kind, connection.Id, connection.Id.ToString(), connection.Name);
            case WindowScopeKind.Cluster:
                var cluster = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.ConnectionId == connection.Id && c.Name == input.ScopeItem, ct);
                if (cluster is null) { check.Add(nameof(input.ScopeItem), $"No cluster named '{input.ScopeItem}' on connection {connection.Name}."); return null; }
                return new WindowScope(kind, connection.Id, cluster.Name, cluster.Name);
            default:
                var host = await db.Hosts.AsNoTracking().FirstOrDefaultAsync(h => h.ConnectionId == connection.Id && (h.ExternalId == input.ScopeItem || h.Name == input.ScopeItem), ct);
                if (host is null) { check.Add(nameof(input.ScopeItem), $"No host '{input.ScopeItem}' on connection {connection.Name}."); return null; }
                return new WindowScope(kind, connection.Id, host.ExternalId, host.Name);
        }
    }
}

/// <summary>A window or blackout as the UI and API show it, with its next occurrences in UTC.</summary>
public sealed record CalendarPeriodView(
    Guid Id, string Name, RecurrenceKind Recurrence, string? Expression, string TimeZoneId, DateTime LocalStart, int DurationMinutes,
    WindowScopeKind? ScopeKind, Guid? ScopeConnectionId, string? ScopeKey, string? ScopeName, bool Enabled, string UpdatedBy, DateTimeOffset UpdatedAt,
    IReadOnlyList<TimeSlot> NextOccurrences)
{
    public string ScopeText => ScopeKind is null ? "everything" : $"{ScopeKind.ToString()!.ToLowerInvariant()} {ScopeName}";

    public static CalendarPeriodView Of(CalendarPeriod p, DateTimeOffset now, int occurrences = 3) =>
        new(p.Id, p.Name, p.Recurrence, p.Expression, p.TimeZoneId, p.LocalStart, p.DurationMinutes,
            p.Scope?.Kind, p.Scope?.ConnectionId, p.Scope?.Key, p.Scope?.Name, p.Enabled, p.UpdatedBy, p.UpdatedAt,
            WindowSchedule.Of(p).Occurrences(now, now.AddDays(400)).Take(occurrences).ToList());
}
