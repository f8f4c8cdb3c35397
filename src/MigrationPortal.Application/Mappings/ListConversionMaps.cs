using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// The network and storage maps, with their connections' names: all of them, or those of one source and/or destination
/// connection (the wizard asks for its pair's). Administrators and Operators read them, and requesters, who pick one.
/// </summary>
public sealed class ListConversionMaps(IPortalDb db, AccessGuard guard)
{
    /// <param name="MapId">One map of either kind, for the API's GET by ID.</param>
    public sealed record Query(Guid? SourceConnectionId = null, Guid? DestinationConnectionId = null, Guid? MapId = null);

    public async Task<ConversionMapsView> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "conversion-map.list", ct, ConversionMapRules.ReadRoles);
        var networks = db.NetworkMaps.AsNoTracking();
        var storage = db.StorageMaps.AsNoTracking();
        if (query.SourceConnectionId is { } source)
        {
            networks = networks.Where(m => m.SourceConnectionId == source);
            storage = storage.Where(m => m.SourceConnectionId == source);
        }

        if (query.MapId is { } id)
        {
            networks = networks.Where(m => m.Id == id);
            storage = storage.Where(m => m.Id == id);
        }

        if (query.DestinationConnectionId is { } destination)
        {
            networks = networks.Where(m => m.DestinationConnectionId == destination);
            storage = storage.Where(m => m.DestinationConnectionId == destination);
        }

        var networkMaps = await networks.ToListAsync(ct);
        var storageMaps = await storage.ToListAsync(ct);
        var ids = networkMaps.SelectMany(m => new[] { m.SourceConnectionId, m.DestinationConnectionId })
            .Concat(storageMaps.SelectMany(m => new[] { m.SourceConnectionId, m.DestinationConnectionId })).Distinct().ToList();
        var names = await db.Connections.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        // Ordered here rather than in SQL: the names live in another table and the lists are short (a few maps per pair).
        return new ConversionMapsView(
            networkMaps.Select(m => NetworkMapView.From(m, names)).OrderBy(v => v.SourceConnectionName, StringComparer.Ordinal)
                .ThenBy(v => v.DestinationConnectionName, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal).ToList(),
            storageMaps.Select(m => StorageMapView.From(m, names)).OrderBy(v => v.SourceConnectionName, StringComparer.Ordinal)
                .ThenBy(v => v.DestinationConnectionName, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal).ToList());
    }
}
