using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// What a map editor offers, from the inventory as last synced: the connections a map may convert from and to, and for
/// the chosen pair the source's networks and datastores and the destination's networks and storage pools.
/// </summary>
public sealed class ListMapChoices(IPortalDb db, AccessGuard guard, IConnectorKinds kinds)
{
    public sealed record Query(Guid? SourceConnectionId, Guid? DestinationConnectionId);

    public sealed record ConnectionChoice(Guid Id, string Name, string Kind);

    public sealed record Choices(IReadOnlyList<ConnectionChoice> Sources, IReadOnlyList<ConnectionChoice> Destinations,
        IReadOnlyList<string> SourceNetworks, IReadOnlyList<string> SourceDatastores, IReadOnlyList<string> DestinationNetworks, IReadOnlyList<string> DestinationPools);

    public async Task<Choices> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "conversion-map.choices", ct, ConversionMapRules.ReadRoles);
        var connections = await db.Connections.AsNoTracking().OrderBy(c => c.Name).Select(c => new ConnectionChoice(c.Id, c.Name, c.Kind)).ToListAsync(ct);
        var sources = connections.Where(c => ConversionMapRules.CanConvertFrom(kinds, c.Kind)).ToList();
        var destinations = connections.Where(c => ConversionMapRules.CanConvertTo(kinds, c.Kind)).ToList();
        static List<string> Sorted(IEnumerable<string> names) => names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var source = sources.FirstOrDefault(c => c.Id == query.SourceConnectionId);
        var destination = destinations.FirstOrDefault(c => c.Id == query.DestinationConnectionId);
        return new Choices(sources, destinations,
            source is null ? [] : Sorted(await ConversionMapRules.NetworkNamesAsync(db, source.Id, ct)),
            source is null ? [] : Sorted(await ConversionMapRules.DatastoreNamesAsync(db, source.Id, ct)),
            destination is null ? [] : Sorted(await ConversionMapRules.NetworkNamesAsync(db, destination.Id, ct)),
            destination is null ? [] : Sorted(await ConversionMapRules.PoolNamesAsync(db, destination.Id, ct)));
    }
}
