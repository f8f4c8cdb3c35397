using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// An Administrator creates a storage map (no ID) or edits one (ID and the version it was read at). Every problem is
/// reported in one round, each under its field ("Entries[2].TargetName"). Two Administrators editing one map: the second
/// save gets 409 instead of overwriting; two maps of one name for a pair: the unique index decides, also 409.
/// </summary>
public sealed class SaveStorageMap(IPortalDb db, AccessGuard guard, TimeProvider time, IConnectorKinds kinds)
{
    /// <param name="ExpectedVersion">The <see cref="StorageMapView.Version"/> the edit started from; required with <paramref name="Id"/>.</param>
    public sealed record Command(Guid? Id, int? ExpectedVersion, string? Name, Guid SourceConnectionId, Guid DestinationConnectionId, IReadOnlyList<Entry?>? Entries);

    /// <summary>One entry as typed or sent; every part is checked (a missing format is an error, not a silent default).</summary>
    public sealed record Entry(string? SourceDatastore, string? TargetPool, ConvertedDiskFormat? Format);

    public async Task<StorageMapView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "storage-map.save", ct, Roles.Administrator);
        StorageMap? map = null;
        if (command.Id is { } id)
        {
            map = await db.StorageMaps.FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException("Storage map", id);
            if (command.ExpectedVersion is { } expected && expected != map.Version)
                throw new ConflictException($"The storage map '{map.Name}' was changed by {map.UpdatedBy} since you opened it (version {expected}, now {map.Version}); reload it and edit again.");
        }

        var check = new Validation();
        check.Require(map is null || command.ExpectedVersion is not null, "ExpectedVersion", "Send the version the edit started from.");
        check.Require(map is null || (map.SourceConnectionId == command.SourceConnectionId && map.DestinationConnectionId == command.DestinationConnectionId),
            "SourceConnectionId", "A map's connections cannot change; create a new map for the other pair.");
        var (source, destination) = await ConversionMapRules.CheckNameAndPairAsync(db, kinds, check, command.Name, command.SourceConnectionId, command.DestinationConnectionId, ct);
        var entries = command.Entries ?? [];
        check.Require(entries.Count > 0, "Entries", "Map at least one datastore.");
        var sourceDatastores = source is null ? [] : await ConversionMapRules.DatastoreNamesAsync(db, source.Id, ct);
        var pools = destination is null ? [] : await ConversionMapRules.PoolNamesAsync(db, destination.Id, ct);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var clean = new List<StorageMapping>();
        for (var i = 0; i < entries.Count; i++)
        {
            var field = $"Entries[{i}]";
            if (entries[i] is not { } e) { check.Add(field, "This entry is empty."); continue; }
            check.Text(e.SourceDatastore, $"{field}.SourceDatastore", TextLimits.Name, "Choose the source datastore.")
                .Text(e.TargetPool, $"{field}.TargetPool", TextLimits.Name, "Choose the destination storage pool.")
                .Defined(e.Format, $"{field}.Format")
                .Require(e.Format is not null, $"{field}.Format", "Choose raw or qcow2.");
            var sourceName = e.SourceDatastore?.Trim() ?? "";
            if (sourceName.Length > 0 && TextRules.Fits(sourceName, TextLimits.Name))
            {
                if (seen.TryGetValue(sourceName, out var first))
                    check.Add($"{field}.SourceDatastore", $"'{sourceName}' is already mapped in entry {first + 1}.");
                else seen[sourceName] = i;
                if (source is not null && !sourceDatastores.Contains(sourceName))
                    check.Add($"{field}.SourceDatastore", $"'{sourceName}' is not a datastore in {ConversionMapRules.InventoryOf(source, sourceDatastores.Count)}.");
            }

            var pool = e.TargetPool?.Trim() ?? "";
            if (pool.Length > 0 && TextRules.Fits(pool, TextLimits.Name) && destination is not null && !pools.Contains(pool))
                check.Add($"{field}.TargetPool", $"'{pool}' is not a storage pool in {ConversionMapRules.InventoryOf(destination, pools.Count)}.");
            clean.Add(new StorageMapping(sourceName, pool, e.Format.GetValueOrDefault()));
        }

        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var created = map is null;
        if (map is null)
        {
            map = new StorageMap(command.Name!, source!.Id, destination!.Id, clean, user.AsActor(), now);
            db.StorageMaps.Add(map);
        }
        else map.Update(command.Name!, clean, user.AsActor(), now);

        AuditLog.Record(db, now, user.AsActor(), AuditActions.MapSaved, nameof(StorageMap), map.Id.ToString(), new
        {
            change = created ? "created" : "edited", map.Name, source = source!.Name, destination = destination!.Name, map.Version, entries = clean.Select(e => new { e.SourceDatastore, e.TargetPool, format = e.Format.ToString() }),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"A storage map from '{source.Name}' to '{destination.Name}' is already called '{map.Name}'; choose another name.");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The storage map '{map.Name}' was changed or deleted by someone else while you saved; reload it and edit again.");
        }

        return StorageMapView.From(map, new Dictionary<Guid, string> { [source.Id] = source.Name, [destination.Id] = destination.Name });
    }
}
