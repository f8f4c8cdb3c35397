using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// The requests still waiting to start (submitted, pending approval, approved) that are scheduled into one maintenance
/// window: those that chose it by name, and those whose planned start falls in one of its occurrences. Deleting or
/// disabling the window under them would strand them: a "chosen window" request would wait forever, and a request whose
/// VM no other window covers would either wait forever ("next window") or start at once outside any window ("as soon as
/// approved"). So the portal refuses, and names them, until an Operator cancels them or they have run
/// (docs/architecture.md, "Deleting a window").
/// </summary>
public static class WindowDependents
{
    private static readonly RequestState[] Waiting = RequestTransitions.Waiting.ToArray();

    /// <summary>Throws a validation error (field "Requests") listing the dependent requests, if there are any.</summary>
    public static async Task ThrowIfAnyAsync(IPortalDb db, MaintenanceWindow window, string action, CancellationToken ct)
    {
        var id = window.Id;
        var candidates = await db.Requests.AsNoTracking()
            .Where(r => Waiting.Contains(r.State) && ((r.Schedule.Mode == ScheduleMode.ChosenWindow && r.Schedule.WindowId == id) || r.PlannedStart != null))
            .Select(r => new { Request = r, Vm = db.Vms.FirstOrDefault(v => v.Id == r.VmId) })
            .ToListAsync(ct);
        // A planned start inside this window is at risk only while the window is enabled (the planner ignores disabled
        // windows) and when no other enabled window covering the VM is open at that moment too.
        var others = await db.MaintenanceWindows.AsNoTracking().Where(w => w.Enabled && w.Id != id).ToListAsync(ct);
        static bool Contains(MaintenanceWindow w, DateTimeOffset at) => WindowSchedule.Of(w).Occurrences(at, at.AddTicks(1)).Any(slot => slot.Start <= at && at < slot.End);
        var dependents = candidates.Where(c =>
                (c.Request.Schedule.Mode == ScheduleMode.ChosenWindow && c.Request.Schedule.WindowId == id)
                || (window.Enabled && c.Request.PlannedStart is { } start && StartPlanner.PlacementOf(c.Vm, c.Request) is var placement
                    && window.Covers(placement) && Contains(window, start) && !others.Any(o => o.Covers(placement) && Contains(o, start))))
            .OrderBy(c => c.Request.PlannedStart).ThenBy(c => c.Request.CreatedAt)
            .Select(c => $"{c.Vm?.Name ?? c.Request.VmId.ToString()} (request {c.Request.Id.ToString()[..8]}, {c.Request.State}, "
                + (c.Request.PlannedStart is { } p ? $"planned {p:yyyy-MM-dd HH:mm} UTC)" : "not planned yet)"))
            .ToList();
        if (dependents.Count == 0) return;

        var summary = $"Window '{window.Name}' cannot be {action}: {dependents.Count} waiting request{(dependents.Count == 1 ? " is" : "s are")} scheduled into it. "
            + "Cancel them, or let them run, first; otherwise they would wait for ever or start outside any window.";
        throw new ValidationFailedException(new Dictionary<string, string[]> { ["Requests"] = [summary, .. dependents] });
    }
}
