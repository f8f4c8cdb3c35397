using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// An Administrator creates or edits a storage map: each source datastore's disks become volumes of a format in a storage
/// pool of the destination. The flow (versions, one round of errors, 409s) is <see cref="SaveConversionMap{TMap, TEntry, TInput, TView}"/>'s.
/// </summary>
public sealed class SaveStorageMap(IPortalDb db, AccessGuard guard, TimeProvider time, IConnectorKinds kinds)
    : SaveConversionMap<StorageMap, StorageMapping, SaveStorageMap.Entry, StorageMapView>(db, guard, time, kinds)
{
    /// <summary>One entry as typed or sent; every part is checked (a missing format is an error, not a silent default).</summary>
    public sealed record Entry(string? SourceDatastore, string? TargetPool, ConvertedDiskFormat? Format);

    protected override (string Map, string Source, string SourceField) Words => ("storage map", "datastore", nameof(Entry.SourceDatastore));

    protected override DbSet<StorageMap> Maps => Db.StorageMaps;

    protected override Task<HashSet<string>> SourceNamesAsync(Guid sourceConnectionId, CancellationToken ct) => ConversionMapRules.DatastoreNamesAsync(Db, sourceConnectionId, ct);

    protected override string? SourceOf(Entry entry) => entry.SourceDatastore;

    /// <summary>A pool must be one of the destination's, as last synced.</summary>
    protected override async Task<Func<Entry, string, string, Validation, StorageMapping>> TargetRulesAsync(Connection? destination, CancellationToken ct)
    {
        var pools = destination is null ? [] : await ConversionMapRules.PoolNamesAsync(Db, destination.Id, ct);
        return (e, field, source, check) =>
        {
            check.Text(e.TargetPool, $"{field}.TargetPool", TextLimits.Name, "Choose the destination storage pool.")
                .Defined(e.Format, $"{field}.Format")
                .Require(e.Format is not null, $"{field}.Format", "Choose raw or qcow2.");
            var pool = e.TargetPool?.Trim() ?? "";
            if (pool.Length > 0 && TextRules.Fits(pool, TextLimits.Name) && destination is not null && !pools.Contains(pool))
                check.Add($"{field}.TargetPool", $"'{pool}' is not a storage pool in {ConversionMapRules.InventoryOf(destination, pools.Count)}.");
            return new StorageMapping(source, pool, e.Format.GetValueOrDefault());
        };
    }

    protected override StorageMap Create(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<StorageMapping> entries, Actor actor, DateTimeOffset now) =>
        new(name, sourceConnectionId, destinationConnectionId, entries, actor, now);

    protected override object AuditEntries(IReadOnlyList<StorageMapping> entries) => entries.Select(e => new { e.SourceDatastore, e.TargetPool, format = e.Format.ToString() });

    protected override StorageMapView ViewOf(StorageMap map, IReadOnlyDictionary<Guid, string> connectionNames) => StorageMapView.From(map, connectionNames);
}
