using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>Inventory: the hosts, pools, networks and domains of a connection, and where one domain is now.</summary>
public sealed partial class LibvirtConnector
{
    public Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(connection);
        var hosts = new List<HostInfo>();
        var datastores = new List<DatastoreInfo>();
        var networks = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var vms = new Dictionary<string, (VmInfo Vm, bool Running)>(StringComparer.OrdinalIgnoreCase);
        foreach (var uri in session.HostUris)
        {
            // A host that cannot be reached fails the whole sync: mirroring a partial view would drop its VMs from the portal.
            var host = session.Connect(uri);
            var hostname = session.Hostname(uri);
            var node = host.NodeInfo();
            // Refreshed first: a dir pool lists only the files it saw at its last refresh, and a disk it has not seen would count as 0 bytes.
            var pools = host.ListPools(refresh: true);
            datastores.AddRange(pools.Select(p => new DatastoreInfo(DatastoreId(uri, p.Name), DatastoreName(p.Name, hostname),
                p.CapacityBytes / GiB, p.AvailableBytes / GiB, p.Running, [hostname])));
            long usedMemory = 0;
            foreach (var domain in host.ListDomains())
            {
                using (domain)
                {
                    var state = domain.State();
                    var description = DomainDescription.Parse(domain.Xml());
                    var running = state.IsActive();
                    if (running) usedMemory += description.MemoryBytes;
                    var disks = description.Disks.Where(d => d.Device == "disk").Select(d => (Disk: d, Volume: d.Type == "file" && d.Source is not null ? host.FindVolume(d.Source) : null)).ToList();
                    foreach (var i in description.Interfaces.Where(i => i.Source is not null))
                    {
                        if (!networks.TryGetValue(i.Source!, out var on)) networks[i.Source!] = on = [];
                        on.Add(hostname);
                    }

                    var vm = new VmInfo(description.Uuid, description.Name, LibvirtPowerStates.ToPortal(state), uri, hostname, null, null,
                        disks.Select(d => StoreOf(d.Disk, pools, hostname)).Distinct().ToList(),
                        description.Vcpus, description.MemoryBytes / MiB,
                        CeilingGb(disks.Sum(d => d.Volume?.CapacityBytes ?? 0)), CeilingGb(disks.Sum(d => d.Volume?.AllocationBytes ?? 0)),
                        description.Application, null,
                        description.Interfaces.Select(i => i.Source ?? i.Type).ToList(), domain.SnapshotCount(),
                        string.Join("; ", disks.Select(d => $"{d.Disk.Target}: {d.Disk.Source ?? "(none)"} ({d.Disk.Format ?? d.Disk.Type}"
                            + (d.Volume is null ? ")" : $", {d.Volume.CapacityBytes / MiB} MiB)"))));
                    // After a migration a stale inactive definition may linger on the source; the running copy is the VM.
                    if (!vms.TryGetValue(vm.ExternalId, out var seen) || (!seen.Running && running)) vms[vm.ExternalId] = (vm, running);
                }
            }

            hosts.Add(new HostInfo(uri, hostname, null, "connected", PowerState.On, false, node.Cpus, node.MemoryBytes / MiB,
                Math.Max(usedMemory, node.MemoryBytes - node.FreeMemoryBytes) / MiB));
        }

        return new InventorySnapshot([], hosts, datastores, vms.Values.Select(v => v.Vm).ToList(),
            networks.Select(n => new NetworkInfo(n.Key, n.Key, n.Value.Order().ToList())).ToList());
    }, ct);

    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Source);
        VmPlacement? inactive = null;
        foreach (var uri in session.HostUris)
        {
            var host = session.Connect(uri);
            using var domain = host.FindDomain(plan.VmExternalId);
            if (domain is null) continue;
            var state = domain.State();
            var description = DomainDescription.Parse(domain.Xml());
            var pools = host.ListPools();
            var hostname = session.Hostname(uri);
            var placement = new VmPlacement(uri, hostname, description.Disks.Where(d => d.Device == "disk").Select(d => StoreOf(d, pools, hostname)).Distinct().ToList(), LibvirtPowerStates.ToPortal(state));
            if (state.IsActive()) return placement;
            inactive ??= placement;
        }

        return inactive ?? new VmPlacement(null, null, [], PowerState.Unknown);
    }, ct);

    private static string StoreOf(DomainDisk disk, IReadOnlyList<PoolFacts> pools, string hostname)
    {
        if (disk.Type == "network") return disk.Source ?? "network";
        var directory = disk.Source is null ? null : Path.GetDirectoryName(disk.Source);
        var pool = pools.FirstOrDefault(p => p.Path is not null && p.Path == directory);
        return pool is null ? $"{directory ?? "(none)"}@{hostname}" : DatastoreName(pool.Name, hostname);
    }

    private static long CeilingGb(long bytes) => (bytes + GiB - 1) / GiB;
}
