using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// What the map use cases share, so each rule lives once: who may read and change maps, which connection pairs a map may
/// join, the checks on a map's name and pair, and the inventory names its entries are checked against.
/// </summary>
internal static class ConversionMapRules
{
    /// <summary>Readers: Administrators manage maps, Operators look at them, and a requester picks one in the wizard.</summary>
    public static readonly string[] ReadRoles = [Roles.Administrator, Roles.Operator, Roles.Requester];

    // Which kinds a map may join is each kind's descriptor's to say, so no kind is named above the connector seam.
    public static bool CanConvertFrom(IConnectorKinds kinds, string kind) => kinds.Find(kind)?.ConvertsFrom ?? false;

    public static bool CanConvertTo(IConnectorKinds kinds, string kind) => kinds.Find(kind)?.ConvertsTo ?? false;

    private static string SourceKinds(IConnectorKinds kinds) => string.Join(" or ", kinds.All.Where(d => d.ConvertsFrom).Select(d => d.Kind));

    private static string DestinationKinds(IConnectorKinds kinds) => string.Join(" or ", kinds.All.Where(d => d.ConvertsTo).Select(d => d.Kind));

    /// <summary>
    /// Checks a map's name and its two connections (they exist, they differ, and the pair can be converted). Returns both
    /// connections, or null for either when it is missing.
    /// </summary>
    public static async Task<(Connection? Source, Connection? Destination)> CheckNameAndPairAsync(IPortalDb db, IConnectorKinds kinds, Validation check, string? name,
        Guid sourceId, Guid destinationId, CancellationToken ct)
    {
        check.Text(name, "Name", TextLimits.Name, "Name the map.");
        var found = await db.Connections.AsNoTracking().Where(c => c.Id == sourceId || c.Id == destinationId).ToListAsync(ct);
        var source = found.FirstOrDefault(c => c.Id == sourceId);
        var destination = found.FirstOrDefault(c => c.Id == destinationId);
        if (source is null) check.Add("SourceConnectionId", "Choose a source connection that exists.");
        else if (!CanConvertFrom(kinds, source.Kind))
            check.Add("SourceConnectionId", $"'{source.Name}' is a {source.Kind} connection; maps convert from {SourceKinds(kinds)} connections.");
        if (destination is null) check.Add("DestinationConnectionId", "Choose a destination connection that exists.");
        else if (sourceId == destinationId) check.Add("DestinationConnectionId", "Choose a destination other than the source.");
        else if (!CanConvertTo(kinds, destination.Kind))
            check.Add("DestinationConnectionId", $"'{destination.Name}' is a {destination.Kind} connection; maps convert to {DestinationKinds(kinds)} connections.");
        return (source, destination);
    }

    /// <summary>The names of a connection's networks (vSphere networks and port groups, libvirt networks) as last synced.</summary>
    public static async Task<HashSet<string>> NetworkNamesAsync(IPortalDb db, Guid connectionId, CancellationToken ct) =>
        [.. await db.Networks.AsNoTracking().Where(n => n.ConnectionId == connectionId).Select(n => n.Name).ToListAsync(ct)];

    /// <summary>The names of a connection's datastores as last synced.</summary>
    public static async Task<HashSet<string>> DatastoreNamesAsync(IPortalDb db, Guid connectionId, CancellationToken ct) =>
        [.. await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == connectionId).Select(d => d.Name).ToListAsync(ct)];

    /// <summary>
    /// The storage pools of a destination connection. The inventory keeps one datastore row per pool and host, named
    /// "pool@host" (a pool of the same name on two hosts is two rows), so the pool is the name up to its last '@'.
    /// </summary>
    public static async Task<SortedSet<string>> PoolNamesAsync(IPortalDb db, Guid connectionId, CancellationToken ct) =>
        new((await DatastoreNamesAsync(db, connectionId, ct)).Select(PoolOf), StringComparer.Ordinal);

    public static string PoolOf(string datastoreName) => datastoreName.LastIndexOf('@') is > 0 and var at ? datastoreName[..at] : datastoreName;

    /// <summary>Names the connection in an inventory error, so an empty inventory (never synced) reads as such.</summary>
    public static string InventoryOf(Connection connection, int count) =>
        count == 0 ? $"the inventory of '{connection.Name}', which has none (sync the connection first)" : $"the inventory of '{connection.Name}'";
}
