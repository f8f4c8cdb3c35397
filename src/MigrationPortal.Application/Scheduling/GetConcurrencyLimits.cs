using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

public sealed record ConcurrencyLimitsView(
    int VSphereMigrationsPerHost, int VSphereStorageMigrationsPerHost, int KvmOutgoingPerHost, int KvmIncomingPerHost,
    int DatastoreBudget, int ComputeMigrationDatastoreCost, int StorageMigrationDatastoreCost, int PerConnection, int Global,
    string? UpdatedBy, DateTimeOffset? UpdatedAt, IReadOnlyList<ResourceInUse> InUse)
{
    public static ConcurrencyLimitsView Of(ConcurrencyLimits l, IReadOnlyList<ResourceInUse> inUse) =>
        new(l.VSphereMigrationsPerHost, l.VSphereStorageMigrationsPerHost, l.KvmOutgoingPerHost, l.KvmIncomingPerHost, l.DatastoreBudget,
            l.ComputeMigrationDatastoreCost, l.StorageMigrationDatastoreCost, l.PerConnection, l.Global, l.UpdatedBy == "" ? null : l.UpdatedBy, l.UpdatedAt, inUse);
}

/// <summary>How many units of one resource running migrations hold now.</summary>
public sealed record ResourceInUse(string Resource, string Label, int Units);

/// <summary>The concurrency limits (defaults until an Administrator sets them) and what running migrations hold now.</summary>
public sealed class GetConcurrencyLimits(IPortalDb db, AccessGuard guard)
{
    public async Task<ConcurrencyLimitsView> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "limits.view", ct, Roles.Operator, Roles.Administrator, Roles.Auditor);
        var limits = await db.ConcurrencyLimits.AsNoTracking().FirstOrDefaultAsync(ct) ?? ConcurrencyLimits.Defaults();
        var inUse = await db.CapacitySlots.AsNoTracking().GroupBy(s => new { s.Resource, s.ResourceName })
            .Select(g => new ResourceInUse(g.Key.Resource, g.Key.ResourceName, g.Count())).ToListAsync(ct);
        return ConcurrencyLimitsView.Of(limits, inUse.OrderBy(r => r.Label).ToList());
    }
}
