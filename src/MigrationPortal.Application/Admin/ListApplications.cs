using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>An application with its owners by name (<see cref="OwnerView.DisplayName"/>) and how many VMs are mapped to it.</summary>
public sealed record ApplicationView(Guid Id, string Name, string? Environment, string? Criticality, IReadOnlyList<OwnerView> Owners, int VmCount);

/// <summary>Applications with their owners and VM counts. A pure requester sees only the applications they own.</summary>
public sealed class ListApplications(IPortalDb db, AccessGuard guard, ApplicationOwners owners)
{
    public async Task<IReadOnlyList<ApplicationView>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        var apps = db.Applications.AsNoTracking().Include(a => a.Owners).AsQueryable();
        if (!user.SeesEverything)
        {
            var owned = await guard.OwnedApplicationIdsAsync(user, ct);
            apps = apps.Where(a => owned.Contains(a.Id));
        }

        var rows = await apps.OrderBy(a => a.Name).ToListAsync(ct);
        var counts = await db.Vms.Where(v => v.ApplicationId != null).GroupBy(v => v.ApplicationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key!.Value, g => g.Count, ct);
        var names = await owners.NamesAsync(ct);
        return rows.Select(a => new ApplicationView(a.Id, a.Name, a.Environment, a.Criticality,
            a.Owners.Select(o => names(o.Kind, o.Principal)).ToList(), counts.GetValueOrDefault(a.Id))).ToList();
    }
}
