using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// An Administrator creates a network map (no ID) or edits one (ID and the version it was read at). Every problem is
/// reported in one round, each under its field ("Entries[2].TargetName"). Two Administrators editing one map: the second
/// save gets 409 instead of overwriting; two maps of one name for a pair: the unique index decides, also 409.
/// </summary>
public sealed class SaveNetworkMap(IPortalDb db, AccessGuard guard, TimeProvider time, IConnectorKinds kinds)
{
    /// <param name="ExpectedVersion">The <see cref="NetworkMapView.Version"/> the edit started from; required with <paramref name="Id"/>.</param>
    public sealed record Command(Guid? Id, int? ExpectedVersion, string? Name, Guid SourceConnectionId, Guid DestinationConnectionId, IReadOnlyList<Entry?>? Entries);

    /// <summary>One entry as typed or sent; every part is checked (a missing target kind is an error, not a silent default).</summary>
    public sealed record Entry(string? SourceNetwork, NetworkTargetKind? TargetKind, string? TargetName);

    public async Task<NetworkMapView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "network-map.save", ct, Roles.Administrator);
        NetworkMap? map = null;
        if (command.Id is { } id)
        {
            map = await db.NetworkMaps.FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException("Network map", id);
            if (command.ExpectedVersion is { } expected && expected != map.Version)
                throw new ConflictException($"The network map '{map.Name}' was changed by {map.UpdatedBy} since you opened it (version {expected}, now {map.Version}); reload it and edit again.");
        }

        var check = new Validation();
        check.Require(map is null || command.ExpectedVersion is not null, "ExpectedVersion", "Send the version the edit started from.");
        check.Require(map is null || (map.SourceConnectionId == command.SourceConnectionId && map.DestinationConnectionId == command.DestinationConnectionId),
            "SourceConnectionId", "A map's connections cannot change; create a new map for the other pair.");
        var (source, destination) = await ConversionMapRules.CheckNameAndPairAsync(db, kinds, check, command.Name, command.SourceConnectionId, command.DestinationConnectionId, ct);
        var entries = command.Entries ?? [];
        check.Require(entries.Count > 0, "Entries", "Map at least one network.");
        var sourceNetworks = source is null ? [] : await ConversionMapRules.NetworkNamesAsync(db, source.Id, ct);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var clean = new List<NetworkMapping>();
        for (var i = 0; i < entries.Count; i++)
        {
            var field = $"Entries[{i}]";
            if (entries[i] is not { } e) { check.Add(field, "This entry is empty."); continue; }
            check.Text(e.SourceNetwork, $"{field}.SourceNetwork", TextLimits.Name, "Choose the source network.")
                .Text(e.TargetName, $"{field}.TargetName", TextLimits.Name, e.TargetKind == NetworkTargetKind.Bridge ? "Name the bridge." : "Choose the destination network.")
                .Defined(e.TargetKind, $"{field}.TargetKind")
                .Require(e.TargetKind is not null, $"{field}.TargetKind", "Choose a network or a bridge.");
            var sourceName = e.SourceNetwork?.Trim() ?? "";
            if (sourceName.Length > 0 && TextRules.Fits(sourceName, TextLimits.Name))
            {
                if (seen.TryGetValue(sourceName, out var first))
                    check.Add($"{field}.SourceNetwork", $"'{sourceName}' is already mapped in entry {first + 1}.");
                else seen[sourceName] = i;
                if (source is not null && !sourceNetworks.Contains(sourceName))
                    check.Add($"{field}.SourceNetwork", $"'{sourceName}' is not a network in {ConversionMapRules.InventoryOf(source, sourceNetworks.Count)}.");
            }

            clean.Add(new NetworkMapping(sourceName, e.TargetKind.GetValueOrDefault(), e.TargetName?.Trim() ?? ""));
        }

        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var created = map is null;
        if (map is null)
        {
            map = new NetworkMap(command.Name!, source!.Id, destination!.Id, clean, user.AsActor(), now);
            db.NetworkMaps.Add(map);
        }
        else map.Update(command.Name!, clean, user.AsActor(), now);

        AuditLog.Record(db, now, user.AsActor(), AuditActions.MapSaved, nameof(NetworkMap), map.Id.ToString(), new
        {
            change = created ? "created" : "edited", map.Name, source = source!.Name, destination = destination!.Name, map.Version, entries = clean.Select(e => new { e.SourceNetwork, targetKind = e.TargetKind.ToString(), e.TargetName }),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"A network map from '{source.Name}' to '{destination.Name}' is already called '{map.Name}'; choose another name.");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The network map '{map.Name}' was changed or deleted by someone else while you saved; reload it and edit again.");
        }

        return NetworkMapView.From(map, new Dictionary<Guid, string> { [source.Id] = source.Name, [destination.Id] = destination.Name });
    }
}
