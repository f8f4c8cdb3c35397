using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Scheduling;

/// <summary>How a window or blackout repeats.</summary>
public enum RecurrenceKind
{
    OneOff,
    RRule,
    Cron,
}

/// <summary>What a window or blackout covers. A VM is covered when its connection, cluster, host (source or target) or application matches.</summary>
public enum WindowScopeKind
{
    Connection,
    Cluster,
    Host,
    Application,
}

/// <summary>
/// Where a window or blackout applies. <see cref="ConnectionId"/> is set for connection, cluster and host scopes;
/// <see cref="Key"/> is the connection ID, the cluster name, the host's hypervisor ID or the application ID.
/// </summary>
public sealed record WindowScope(WindowScopeKind Kind, Guid? ConnectionId, string Key, string Name)
{
    public string Describe() => $"{Kind.ToString().ToLowerInvariant()} {Name}";
}

/// <summary>Where a VM is and where it would go, as far as window scopes care.</summary>
/// <remarks>
/// A conversion's target host is on another connection (<see cref="TargetConnectionId"/>), so a window or blackout of that
/// connection, or of that host, covers it as much as one of the source.
/// </remarks>
public sealed record ScopePlacement(Guid ConnectionId, string? ClusterName, string? SourceHostId, string? TargetHostId, Guid? ApplicationId, Guid? TargetConnectionId = null)
{
    public Guid TargetSide => TargetConnectionId ?? ConnectionId;
}

/// <summary>
/// A period on the calendar: when it opens (one-off, RRULE or cron, read in an IANA time zone), how long it lasts, and
/// what it covers. Maintenance windows and blackouts share this shape; they differ in what they mean to the dispatcher.
/// The schedule is checked by the application layer (it needs Ical.Net and Cronos); this class keeps the record.
/// </summary>
public abstract class CalendarPeriod
{
    public Guid Id { get; protected set; } = Guid.NewGuid();
    public string Name { get; private set; } = "";
    public RecurrenceKind Recurrence { get; private set; }

    /// <summary>The RRULE (without "RRULE:") or cron expression; null for a one-off.</summary>
    public string? Expression { get; private set; }
    public string TimeZoneId { get; private set; } = "UTC";

    /// <summary>Wall-clock start in <see cref="TimeZoneId"/>: the one-off start, or the first occurrence of a rule.</summary>
    public DateTime LocalStart { get; private set; }
    public int DurationMinutes { get; private set; }
    public WindowScope? Scope { get; private set; }
    public bool Enabled { get; private set; } = true;
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }

    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMinutes);

    /// <summary>Sets every field at once; the caller has validated the schedule.</summary>
    public void Define(string name, RecurrenceKind recurrence, string? expression, string timeZoneId, DateTime localStart, TimeSpan duration,
        WindowScope? scope, bool enabled, Actor actor, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A name is required.");
        if (duration <= TimeSpan.Zero) throw new DomainException("A period must last longer than zero.");
        if (RequiresScope && scope is null) throw new DomainException("A maintenance window needs a scope.");
        Name = name.Trim();
        Recurrence = recurrence;
        Expression = recurrence == RecurrenceKind.OneOff ? null : expression?.Trim();
        TimeZoneId = timeZoneId.Trim();
        LocalStart = DateTime.SpecifyKind(localStart, DateTimeKind.Unspecified);
        DurationMinutes = (int)Math.Ceiling(duration.TotalMinutes);
        Scope = scope;
        Enabled = enabled;
        UpdatedBy = actor.Name;
        UpdatedAt = now;
    }

    /// <summary>Whether this period covers a VM at that placement. A blackout without a scope covers everything.</summary>
    public bool Covers(ScopePlacement vm) => Scope is not { } s || s.Kind switch
    {
        WindowScopeKind.Connection => s.ConnectionId == vm.ConnectionId || s.ConnectionId == vm.TargetSide,
        WindowScopeKind.Cluster => s.ConnectionId == vm.ConnectionId && string.Equals(s.Key, vm.ClusterName, StringComparison.OrdinalIgnoreCase),
        WindowScopeKind.Host => (s.ConnectionId == vm.ConnectionId && s.Key == vm.SourceHostId) || (s.ConnectionId == vm.TargetSide && s.Key == vm.TargetHostId),
        WindowScopeKind.Application => vm.ApplicationId is { } app && s.Key == app.ToString(),
        _ => false,
    };

    protected abstract bool RequiresScope { get; }
}

/// <summary>An agreed period in which VMs in its scope may move. A VM covered by any window moves only inside one.</summary>
public sealed class MaintenanceWindow : CalendarPeriod
{
    protected override bool RequiresScope => true;
}

/// <summary>A change freeze: nothing in its scope (everything, without a scope) starts while it is open. A blackout wins over a window.</summary>
public sealed class Blackout : CalendarPeriod
{
    protected override bool RequiresScope => false;
}
