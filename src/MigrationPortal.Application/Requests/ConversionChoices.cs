using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution.Itinerary;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>A cross-platform request's destination as checked: the connection, its host, and the settings copied from the maps.</summary>
public sealed record ResolvedConversion(Connection Destination, string HostId, string HostName, string NetworkMapName, string StorageMapName, ConversionSettings Settings);

/// <summary>
/// The rules for a VMware-to-KVM request's choices, stated once for submission (which refuses) and the wizard (which
/// shows the same words beside its fields): the destination is another connection of a kind the portal converts to, the
/// host is one of its hosts, and the maps belong to that pair and cover every network and datastore of the VM.
/// </summary>
public sealed class ConversionChoices(IPortalDb db, ItineraryCatalog itineraries)
{
    /// <summary>The names of the VM's networks and datastores, as the inventory stores them (comma-separated).</summary>
    public static IReadOnlyList<string> Names(string? commaSeparated) =>
        (commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The connections a VM on <paramref name="source"/> can be converted to, by name.</summary>
    public async Task<IReadOnlyList<Connection>> DestinationsAsync(Connection source, CancellationToken ct)
    {
        var others = await db.Connections.AsNoTracking().Where(c => c.Id != source.Id).OrderBy(c => c.Name).ToListAsync(ct);
        return others.Where(c => itineraries.Converts(source.Kind, c.Kind)).ToList();
    }

    /// <summary>
    /// Checks the command's conversion choices for <paramref name="vm"/>, adding every problem to <paramref name="check"/>
    /// (all in one round), and returns the destination and settings when there were none.
    /// </summary>
    public async Task<ResolvedConversion?> ResolveAsync(InventoryVm vm, Connection source, SubmitRequest.Command command, Validation check, CancellationToken ct)
    {
        if (command.TargetConnectionId is not { } destinationId)
        {
            check.Add(nameof(command.TargetConnectionId), "Choose the connection to convert the VM to.");
            return null;
        }

        if (destinationId == vm.ConnectionId)
        {
            check.Add(nameof(command.TargetConnectionId), "A conversion goes to another connection: choose one other than the VM's own.");
            return null;
        }

        var destination = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == destinationId, ct);
        if (destination is null)
        {
            check.Add(nameof(command.TargetConnectionId), "That connection does not exist.");
            return null;
        }

        if (!itineraries.Converts(source.Kind, destination.Kind))
        {
            check.Add(nameof(command.TargetConnectionId), $"The portal cannot convert a VM from a {source.Kind} connection to a {destination.Kind} connection.");
            return null;
        }

        (string Id, string Name)? host = null;
        if (string.IsNullOrWhiteSpace(command.TargetHostId))
        {
            check.Add(nameof(command.TargetHostId), "Choose a host of the destination connection.");
        }
        else if (TextRules.Fits(command.TargetHostId, TextLimits.ExternalId))
        {
            var portalId = Guid.TryParse(command.TargetHostId, out var parsed) ? parsed : (Guid?)null;
            var row = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == destination.Id && (h.ExternalId == command.TargetHostId || h.Id == portalId))
                .Select(h => new { h.ExternalId, h.Name }).FirstOrDefaultAsync(ct);
            if (row is null) check.Add(nameof(command.TargetHostId), $"That host is not a host of the connection '{destination.Name}'.");
            else host = (row.ExternalId, row.Name);
        }

        var pair = Pair(source.Name, destination.Name);
        var networkMaps = await db.NetworkMaps.AsNoTracking().Where(m => m.SourceConnectionId == source.Id && m.DestinationConnectionId == destination.Id)
            .OrderBy(m => m.Name).ToListAsync(ct);
        var storageMaps = await db.StorageMaps.AsNoTracking().Where(m => m.SourceConnectionId == source.Id && m.DestinationConnectionId == destination.Id)
            .OrderBy(m => m.Name).ToListAsync(ct);
        var (networkMap, storageMap) = CheckMaps(Names(vm.Networks), Names(vm.Datastores),
            networkMaps.Select(m => new NetworkMapOption(m.Id, m.Name, m.Entries)).ToList(), storageMaps.Select(m => new StorageMapOption(m.Id, m.Name, m.Entries)).ToList(),
            command.NetworkMapId, command.StorageMapId, pair, check);

        if (host is null || networkMap is null || storageMap is null || check.HasErrors) return null;
        var settings = new ConversionSettings(networkMap.Id, storageMap.Id, command.KeepIdentity, command.AfterSuccess, networkMap.Entries.ToList(), storageMap.Entries.ToList());
        return new ResolvedConversion(destination, host.Value.Id, host.Value.Name, networkMap.Name, storageMap.Name, settings);
    }

    /// <summary>How a pair is named in messages: "vc-east → kvm-1".</summary>
    public static string Pair(string sourceName, string destinationName) => $"{sourceName} → {destinationName}";

    /// <summary>
    /// The maps a request gets (the chosen ones, or the pair's only ones) and every problem with them: no map, several and
    /// none chosen, a map of another pair, and each network or datastore of the VM that its map leaves out. Pure, so the
    /// wizard checks its target step with the very rule submission applies.
    /// </summary>
    public static (NetworkMapOption? Network, StorageMapOption? Storage) CheckMaps(IReadOnlyList<string> networks, IReadOnlyList<string> datastores,
        IReadOnlyList<NetworkMapOption> networkMaps, IReadOnlyList<StorageMapOption> storageMaps, Guid? networkMapId, Guid? storageMapId, string pair, Validation check)
    {
        var networkMap = Pick(networkMaps, m => m.Id, m => m.Name, networkMapId, nameof(SubmitRequest.Command.NetworkMapId), "network", pair, check);
        var storageMap = Pick(storageMaps, m => m.Id, m => m.Name, storageMapId, nameof(SubmitRequest.Command.StorageMapId), "storage", pair, check);
        // Every NIC and every disk needs somewhere to go; each missing one is named, so the Administrator fixes them all at once.
        if (networkMap is not null)
            foreach (var network in networks.Where(n => !networkMap.Entries.Any(e => string.Equals(e.SourceNetwork, n, StringComparison.Ordinal))))
                check.Add(nameof(SubmitRequest.Command.NetworkMapId), $"The VM's network '{network}' is not in the network map '{networkMap.Name}'.");
        if (storageMap is not null)
            foreach (var store in datastores.Where(d => !storageMap.Entries.Any(e => string.Equals(e.SourceDatastore, d, StringComparison.Ordinal))))
                check.Add(nameof(SubmitRequest.Command.StorageMapId), $"The VM's datastore '{store}' is not in the storage map '{storageMap.Name}'.");
        return (networkMap, storageMap);
    }

    /// <summary>The chosen map if it belongs to the pair, else the pair's only map; otherwise an error saying what to do.</summary>
    private static T? Pick<T>(IReadOnlyList<T> maps, Func<T, Guid> id, Func<T, string> name, Guid? chosen, string field, string what, string pair, Validation check)
        where T : class
    {
        if (chosen is { } wanted)
        {
            var map = maps.FirstOrDefault(m => id(m) == wanted);
            if (map is null) check.Add(field, $"That {what} map is not one for {pair}.");
            return map;
        }

        switch (maps.Count)
        {
            case 1:
                return maps[0];
            case 0:
                check.Add(field, $"No {what} map exists for {pair}: an Administrator makes one (Admin → Conversion maps).");
                return null;
            default:
                check.Add(field, $"Several {what} maps exist for {pair} ({string.Join(", ", maps.Select(name).Order(StringComparer.Ordinal).Select(n => $"'{n}'"))}): choose one.");
                return null;
        }
    }
}
