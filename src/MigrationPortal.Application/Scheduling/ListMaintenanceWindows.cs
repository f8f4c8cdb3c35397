using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

public sealed record CalendarPeriods(IReadOnlyList<CalendarPeriodView> Windows, IReadOnlyList<CalendarPeriodView> Blackouts);

/// <summary>
/// Windows and blackouts with their next occurrences. Everyone but a pure requester sees them all; an application owner
/// sees those that cover their VMs (and global blackouts). With a VM, only what covers that VM (the wizard's window choice).
/// </summary>
public sealed class ListMaintenanceWindows(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    /// <param name="TargetConnectionId">A conversion's destination connection: its windows (and those of <paramref name="TargetHostId"/> on it) cover the move too.</param>
    public sealed record Query(Guid? VmId = null, string? TargetHostId = null, Guid? TargetConnectionId = null);

    public async Task<CalendarPeriods> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        var windows = await db.MaintenanceWindows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct);
        var blackouts = await db.Blackouts.AsNoTracking().OrderBy(b => b.Name).ToListAsync(ct);
        var now = time.GetUtcNow();
        List<ScopePlacement>? placements = null;
        if (query.VmId is { } vmId)
        {
            var vm = await (await guard.VisibleVmsAsync(user, ct)).AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, ct);
            if (vm is null)
            {
                if (await db.Vms.AnyAsync(v => v.Id == vmId, ct)) await guard.DenyAsync(user, "window.list", "InventoryVm", vmId.ToString(), AccessGuard.NotYourVm, ct);
                throw new NotFoundException("VM", vmId);
            }

            placements = [StartPlanner.PlacementOf(vm, query.TargetHostId, query.TargetConnectionId)];
        }
        else if (!user.SeesEverything)
        {
            placements = (await (await guard.VisibleVmsAsync(user, ct)).AsNoTracking().ToListAsync(ct)).Select(v => StartPlanner.PlacementOf(v, (string?)null)).ToList();
        }

        bool Shown(CalendarPeriod p) => placements is null || placements.Any(p.Covers);
        return new CalendarPeriods(
            windows.Where(Shown).Select(w => CalendarPeriodView.Of(w, now)).ToList(),
            blackouts.Where(Shown).Select(b => CalendarPeriodView.Of(b, now)).ToList());
    }
}
