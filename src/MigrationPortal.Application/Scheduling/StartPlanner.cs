using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>The enabled windows and blackouts that cover one VM.</summary>
public sealed record Coverage(IReadOnlyList<MaintenanceWindow> Windows, IReadOnlyList<Blackout> Blackouts)
{
    public bool WindowRequired => Windows.Count > 0;
}

/// <summary>
/// When a request can start. <see cref="Start"/> is null when no start fits within the planning horizon (or the wish is
/// not allowed for this VM, with <see cref="Problem"/> saying why). <see cref="Deferral"/> is set when the request would
/// otherwise be due now but a blackout or the rest of the open window stops it: the dispatcher audits that as a deferral.
/// <see cref="WindowName"/> and <see cref="Occurrence"/> name the window occurrence the start falls in (null when no window
/// covers the VM): the estimated duration fits inside it.
/// </summary>
public sealed record StartPlan(DateTimeOffset? Start, string Explanation, string? Problem, string? Deferral, string? WindowName = null, TimeSlot? Occurrence = null);

/// <summary>
/// Places a request on the calendar. The rule (docs/architecture.md, "Windows"): a VM covered by any enabled maintenance
/// window moves only inside one of its windows; a VM covered by none may move at any time. Blackouts (global or covering
/// the VM) win over windows: nothing starts in one, and a migration must end before the next one begins. In every case
/// the estimated duration must fit before the window closes.
/// </summary>
public sealed class StartPlanner(IPortalDb db, IOptions<SchedulingOptions> options)
{
    private List<MaintenanceWindow>? _windows;
    private List<Blackout>? _blackouts;

    public static ScopePlacement PlacementOf(InventoryVm? vm, MigrationRequest request) =>
        new(request.ConnectionId, vm?.ClusterName, vm?.HostExternalId, request.Target.HostId, request.ApplicationId ?? vm?.ApplicationId,
            request.Target.ConnectionId == Guid.Empty ? null : request.Target.ConnectionId);

    public static ScopePlacement PlacementOf(InventoryVm vm, string? targetHostId, Guid? targetConnectionId = null) =>
        new(vm.ConnectionId, vm.ClusterName, vm.HostExternalId, targetHostId, vm.ApplicationId, targetConnectionId);

    /// <summary>Loads the enabled windows and blackouts once per instance (one dispatcher tick, one submission).</summary>
    public async Task<Coverage> CoverageAsync(ScopePlacement placement, CancellationToken ct)
    {
        _windows ??= await db.MaintenanceWindows.AsNoTracking().Where(w => w.Enabled).ToListAsync(ct);
        _blackouts ??= await db.Blackouts.AsNoTracking().Where(b => b.Enabled).ToListAsync(ct);
        return new Coverage(_windows.Where(w => w.Covers(placement)).OrderBy(w => w.Name).ToList(), _blackouts.Where(b => b.Covers(placement)).ToList());
    }

    public StartPlan Plan(Coverage coverage, ScheduleWish wish, DateTimeOffset now, TimeSpan estimate)
    {
        var horizon = options.Value.PlanningHorizon;
        var notBefore = wish.NotBefore is { } nb && nb > now ? nb : now;
        var blackouts = coverage.Blackouts.Select(WindowSchedule.Of).ToList();
        IReadOnlyList<MaintenanceWindow> usable;
        switch (wish.Mode)
        {
            case ScheduleMode.ChosenWindow:
                var chosen = coverage.Windows.FirstOrDefault(w => w.Id == wish.WindowId);
                if (chosen is null) return Refused("The chosen maintenance window does not cover this VM, or it is disabled or deleted.");
                usable = [chosen];
                break;
            case ScheduleMode.NextWindow:
                // A VM no window covers has no window to wait for: it may move at any time, so "the next window" is "now"
                // (blackouts still apply). A batch mixing covered and uncovered VMs (a host's evacuation) is then one choice.
                usable = coverage.Windows;
                break;
            default:
                usable = coverage.Windows;
                break;
        }

        var occurrences = usable.SelectMany(w => WindowSchedule.Of(w).Occurrences(notBefore, notBefore + horizon).Select(slot => (w.Name, Slot: slot))).ToList();
        var openSlots = coverage.WindowRequired ? occurrences.Select(o => o.Slot) : [new TimeSlot(notBefore, notBefore + horizon + estimate)];
        var start = WindowPlanner.EarliestStart(openSlots, blackouts, notBefore, estimate, horizon);
        var estimateText = Format(estimate);
        if (start is null)
        {
            var why = coverage.WindowRequired
                ? $"No occurrence of {Names(usable)} in the next {horizon.TotalDays:0} days has room for the estimated {estimateText} outside blackouts."
                : $"Blackouts leave no room for the estimated {estimateText} in the next {horizon.TotalDays:0} days.";
            return new StartPlan(null, why, null, null);
        }

        string? deferral = null;
        if (start > now && notBefore <= now)
        {
            var activeBlackout = coverage.Blackouts.Select(b => (b.Name, Slot: WindowSchedule.Of(b).Occurrences(now, now.AddTicks(1)).FirstOrDefault()))
                .FirstOrDefault(b => b.Slot != default);
            var openWindow = occurrences.FirstOrDefault(o => o.Slot.Start <= now && now < o.Slot.End);
            if (activeBlackout.Name is not null)
                deferral = $"Blackout '{activeBlackout.Name}' is in force until {activeBlackout.Slot.End:u}; deferred to {start:u}.";
            else if (openWindow.Name is not null && now + estimate > openWindow.Slot.End)
                deferral = $"The estimated {estimateText} does not fit in what remains of window '{openWindow.Name}' (closes {openWindow.Slot.End:u}); deferred to the next window at {start:u}.";
            else if (!coverage.WindowRequired || openWindow.Name is not null)
                deferral = $"The estimated {estimateText} would run into a blackout; deferred to {start:u}.";
        }

        // The occurrence the estimate fits in (two overlapping windows: the one it fits, not merely the one it starts in).
        var window = occurrences.Where(o => o.Slot.Start <= start && start < o.Slot.End).OrderByDescending(o => start + estimate <= o.Slot.End).FirstOrDefault();
        var explanation = window.Name is null
            ? (start <= now ? "Due now." : $"Starts at {start:u}.")
            : (start <= now ? $"Due now, inside window '{window.Name}' (until {window.Slot.End:u})." : $"Starts at {start:u} in window '{window.Name}'.");
        return new StartPlan(start, explanation, null, deferral, window.Name, window.Name is null ? null : window.Slot);
    }

    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : span.TotalMinutes >= 1 ? $"{Math.Ceiling(span.TotalMinutes):0} min" : $"{Math.Ceiling(span.TotalSeconds):0} s";

    private static string Names(IEnumerable<MaintenanceWindow> windows) => string.Join(", ", windows.Select(w => $"'{w.Name}'"));

    private static StartPlan Refused(string problem) => new(null, problem, problem, null);
}
