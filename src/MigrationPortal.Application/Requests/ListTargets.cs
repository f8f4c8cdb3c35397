using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

public sealed record HostOption(string ExternalId, string Name, string? ClusterName, bool SameCluster, bool Usable, string? Note, long FreeMemoryMb);

public sealed record DatastoreOption(string ExternalId, string Name, long FreeGb, long NeededGb, bool HasRoom, bool IsCurrent);

public sealed record NetworkMapOption(Guid Id, string Name, IReadOnlyList<NetworkMapping> Entries);

public sealed record StorageMapOption(Guid Id, string Name, IReadOnlyList<StorageMapping> Entries);

/// <summary>A connection the VM can be converted to, with its hosts and the maps an Administrator made for the pair.</summary>
public sealed record ConversionOption(Guid ConnectionId, string Name, string Kind, IReadOnlyList<HostOption> Hosts,
    IReadOnlyList<NetworkMapOption> NetworkMaps, IReadOnlyList<StorageMapOption> StorageMaps);

/// <param name="Networks">The VM's networks by name, and <paramref name="Conversions"/> the connections it can be converted to (VMware → KVM).</param>
public sealed record TargetOptions(Guid VmId, string VmName, string? CurrentHost, string CurrentDatastores, IReadOnlyList<HostOption> Hosts, IReadOnlyList<DatastoreOption> Datastores,
    IReadOnlyList<string>? Networks = null, IReadOnlyList<ConversionOption>? Conversions = null, string? CurrentConnectionName = null);

/// <summary>
/// Compatible targets for a VM, as the wizard offers them: hosts of the same cluster first, unusable hosts (maintenance,
/// disconnected) shown but marked; datastores with their free space against what the VM needs.
/// </summary>
public sealed class ListTargets(IPortalDb db, AccessGuard guard, ConversionChoices conversions)
{
    public async Task<TargetOptions> HandleAsync(PortalUser user, Guid vmId, CancellationToken ct = default)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, ct) ?? throw new NotFoundException("VM", vmId);
        await guard.RequireCanRequestForAsync(user, vm, ct);
        var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == vm.ConnectionId && h.ExternalId != vm.HostExternalId).ToListAsync(ct);
        var source = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == vm.ConnectionId, ct);
        var stores = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == vm.ConnectionId).ToListAsync(ct);
        var current = vm.Datastores.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new TargetOptions(vm.Id, vm.Name, vm.HostName, vm.Datastores,
            hosts.Select(h => Option(h, vm)).OrderByDescending(h => h.SameCluster).ThenByDescending(h => h.Usable).ThenByDescending(h => h.FreeMemoryMb).ThenBy(h => h.Name).ToList(),
            stores.Select(d => new DatastoreOption(d.ExternalId, d.Name, d.FreeGb, vm.ProvisionedGb, d.Accessible && d.FreeGb >= vm.ProvisionedGb, current.Contains(d.Name)))
                .OrderByDescending(d => d.HasRoom).ThenByDescending(d => d.FreeGb).ToList(),
            ConversionChoices.Names(vm.Networks), source is null ? [] : await ConversionsAsync(vm, source, ct), source?.Name);
    }

    private static HostOption Option(InventoryHost h, InventoryVm vm)
    {
        var note = h.InMaintenance ? "in maintenance mode" : h.ConnectionState != "connected" ? h.ConnectionState : h.PowerState != PowerState.On ? $"power {h.PowerState}" : null;
        return new HostOption(h.ExternalId, h.Name, h.ClusterName, h.ClusterName == vm.ClusterName, note is null, note, h.MemoryMb - h.MemoryUsedMb);
    }

    /// <summary>The connections the VM can be converted to (the pairs an itinerary converts), each with its hosts and the pair's maps.</summary>
    private async Task<IReadOnlyList<ConversionOption>> ConversionsAsync(InventoryVm vm, Connection source, CancellationToken ct)
    {
        var result = new List<ConversionOption>();
        foreach (var destination in await conversions.DestinationsAsync(source, ct))
        {
            var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == destination.Id).ToListAsync(ct);
            var networkMaps = await db.NetworkMaps.AsNoTracking().Where(m => m.SourceConnectionId == source.Id && m.DestinationConnectionId == destination.Id).ToListAsync(ct);
            var storageMaps = await db.StorageMaps.AsNoTracking().Where(m => m.SourceConnectionId == source.Id && m.DestinationConnectionId == destination.Id).ToListAsync(ct);
            result.Add(new ConversionOption(destination.Id, destination.Name, destination.Kind,
                hosts.Select(h => Option(h, vm)).OrderByDescending(h => h.Usable).ThenByDescending(h => h.FreeMemoryMb).ThenBy(h => h.Name).ToList(),
                networkMaps.OrderBy(m => m.Name).Select(m => new NetworkMapOption(m.Id, m.Name, m.Entries)).ToList(),
                storageMaps.OrderBy(m => m.Name).Select(m => new StorageMapOption(m.Id, m.Name, m.Entries)).ToList()));
        }

        return result;
    }
}
