using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// The demo's KVM world as the side a converted VM arrives at: pools with room, volumes whose uploads count the data
/// bytes, a domain defined as a new VM on the target host (so the next sync shows it on the demo KVM connection), a first
/// boot that prints a login prompt after <see cref="DemoOptions.BootDelay"/>, and a removal that undoes all of it.
/// </summary>
public sealed partial class DemoConnector : IConversionDestination
{
    public async Task<PoolSpace> GetPoolSpaceAsync(MigrationPlan plan, string pool, CancellationToken ct)
    {
        var world = KvmWorldOf(plan.Destination);
        var store = world.Datastore(pool);
        if (store is null) return new PoolSpace(pool, 0, 0, false);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hostIds = world.Hosts.Select(h => h.Id).ToList();
        var vms = await db.DemoVms.AsNoTracking().Where(v => hostIds.Contains(v.HostId) && v.Datastore == pool).ToListAsync(ct);
        var volumes = await DemoVolumes.ListAsync(db, ct);
        return new PoolSpace(pool, store.CapacityGb * BytesPerGb, FreeBytes(store, vms, volumes), true);
    }

    public async Task<DomainClash> FindClashAsync(MigrationPlan plan, string name, string? uuid, CancellationToken ct)
    {
        var hostIds = KvmWorldOf(plan.Destination).Hosts.Select(h => h.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var byName = await db.DemoVms.AsNoTracking().Where(v => hostIds.Contains(v.HostId) && v.Name == name).Select(v => v.Name).FirstOrDefaultAsync(ct);
        // A converted demo VM's ID is its domain UUID.
        var byUuid = uuid is null ? null : await db.DemoVms.AsNoTracking().Where(v => hostIds.Contains(v.HostId) && v.Id == uuid).Select(v => v.Name).FirstOrDefaultAsync(ct);
        return new DomainClash(byName, byUuid);
    }

    public Task<(bool Exists, string Message)> NetworkExistsAsync(MigrationPlan plan, NetworkTargetKind kind, string name, CancellationToken ct)
    {
        KvmWorldOf(plan.Destination);
        var expected = kind == NetworkTargetKind.Network ? DemoKvmWorldShape.Network : DemoKvmWorldShape.Bridge;
        var what = kind == NetworkTargetKind.Network ? "network" : "bridge";
        return Task.FromResult(string.Equals(name, expected, StringComparison.Ordinal)
            ? (true, $"Demo: {what} {name} exists on every demo KVM host.")
            : (false, $"Demo: the demo KVM hosts have no {what} named '{name}' (only {what} {expected})."));
    }

    public async Task<IDiskSink> CreateVolumeAsync(MigrationPlan plan, VolumeRef volume, long capacityBytes, CancellationToken ct)
    {
        var world = KvmWorldOf(plan.Destination);
        if (!world.HasHost(volume.HostId)) throw new ConnectorException("NotFound", $"Demo: '{volume.HostId}' is not a demo KVM host.");
        if (world.Datastore(volume.Pool) is null) throw new ConnectorException("NotFound", $"Demo: the demo KVM hosts have no pool '{volume.Pool}'.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.DemoTasks.RemoveRange(await DemoVolumes.FindAsync(db, volume.HostId, volume.Pool, volume.Name, ct));
        var row = DemoVolumes.NewRow(plan.VmExternalId, volume, time.GetUtcNow());
        db.DemoTasks.Add(row);
        await db.SaveChangesAsync(ct);
        return new DemoDiskSink(dbFactory, row.Id, capacityBytes);
    }

    public async Task DefineDomainAsync(MigrationPlan plan, ConvertedDomainSpec spec, CancellationToken ct)
    {
        var world = KvmWorldOf(plan.Destination);
        var host = world.Host(plan.Target.HostId) ?? throw new ConnectorException("NotFound", $"Demo: '{plan.Target.HostId}' is not a demo KVM host.");
        if (spec.Disks.Count == 0) throw new ConnectorException("InvalidArgument", "Demo: a domain needs at least one disk.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var disk in spec.Disks)
        {
            var rows = await DemoVolumes.FindAsync(db, disk.HostId, disk.Pool, disk.Name, ct);
            if (!rows.Any(DemoVolumes.IsReady)) throw new ConnectorException("NotFound", $"Demo: volume {disk.Pool}/{disk.Name} on {disk.HostId} does not exist or its upload did not finish.");
        }

        var source = await FindVmAsync(db, plan, ct);
        var id = spec.Uuid ?? Guid.NewGuid().ToString();
        var hostIds = world.Hosts.Select(h => h.Id).ToList();
        var existing = await db.DemoVms.FirstOrDefaultAsync(v => hostIds.Contains(v.HostId) && v.Name == spec.Name, ct);
        if (existing is not null && existing.Id != id)
            throw new ConnectorException("AlreadyExists", $"Demo: a domain named {spec.Name} already exists on the demo KVM hosts.");
        if (existing is null && await db.DemoVms.AnyAsync(v => v.Id == id, ct))
            throw new ConnectorException("AlreadyExists", $"Demo: a domain with UUID {id} already exists.");

        // Defining again a domain of the same name and UUID replaces its definition, as libvirt's define does.
        var vm = existing ?? db.DemoVms.Add(new DemoVm { Id = id }).Entity;
        vm.Name = spec.Name;
        vm.HostId = host.Id;
        vm.Datastore = spec.Disks[0].Pool;
        vm.PowerState = "poweredOff";
        vm.Cpus = spec.Cpus;
        vm.MemoryMb = spec.MemoryMb;
        // The inventory shows the source's simulated size; the bytes carried were its synthetic disk's.
        vm.DiskGb = source.DiskGb;
        // The application comes along, so the VM's owners own it on its new connection too.
        vm.Application = source.Application;
        await db.SaveChangesAsync(ct);
    }

    public async Task<BootResult> BootAsync(MigrationPlan plan, string domainName, BootProbe probe, CancellationToken ct)
    {
        var hostIds = KvmWorldOf(plan.Destination).Hosts.Select(h => h.Id).ToList();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var vm = await db.DemoVms.FirstOrDefaultAsync(v => hostIds.Contains(v.HostId) && v.Name == domainName, ct)
                ?? throw new ConnectorException("NotFound", $"Demo: no domain named {domainName} on the demo KVM hosts.");
            vm.PowerState = "poweredOn";
            await db.SaveChangesAsync(ct);
        }

        var console = ConsoleOf(domainName);
        var delay = options.Value.BootDelay;
        if (probe.Timeout < delay)
        {
            await Task.Delay(probe.Timeout, time, ct);
            return new BootResult(false, "serial console (simulated)", "");
        }

        await Task.Delay(delay, time, ct);
        // The simulated console prints nothing after its prompt, so a pattern it does not match now never will.
        var answered = Regex.IsMatch(console, probe.ConsolePattern, RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        return new BootResult(answered, "serial console (simulated)", console);
    }

    public async Task<CleanupReport> RemoveConvertedAsync(MigrationPlan plan, string domainName, IReadOnlyList<VolumeRef> volumes, CancellationToken ct)
    {
        var hostIds = KvmWorldOf(plan.Destination).Hosts.Select(h => h.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var said = new List<string>();
        // An empty name asks for the volumes only (no domain was defined).
        if (domainName.Length > 0)
        {
            var domain = await db.DemoVms.FirstOrDefaultAsync(v => hostIds.Contains(v.HostId) && v.Name == domainName, ct);
            if (domain is null) said.Add($"no domain {domainName} was there");
            else
            {
                db.DemoVms.Remove(domain);
                said.Add($"domain {domainName} stopped and undefined");
            }
        }

        foreach (var volume in volumes)
        {
            var rows = await DemoVolumes.FindAsync(db, volume.HostId, volume.Pool, volume.Name, ct);
            db.DemoTasks.RemoveRange(rows);
            said.Add(rows.Count == 0 ? $"no volume {volume.Pool}/{volume.Name} was there" : $"volume {volume.Pool}/{volume.Name} deleted");
        }

        await db.SaveChangesAsync(ct);
        return CleanupReport.Removed(said.Count == 0 ? "Demo: nothing to remove." : $"Demo: {string.Join("; ", said)}.");
    }

    /// <summary>What the converted demo VM's serial console prints once it is up.</summary>
    public static string ConsoleOf(string domainName) =>
        $"""
        [    0.000000] Linux version 6.1.0-demo (simulated first boot, MigrationPortal demo)
        [    1.204311] virtio_blk virtio2: [vda] 262144 512-byte logical blocks (134 MB/128 MiB)
        [    1.318092] virtio_net virtio1 enp1s0: renamed from eth0

        Debian GNU/Linux 12 {domainName} ttyS0

        {domainName} login:
        """;

    private static DemoWorldLayout KvmWorldOf(ConnectionInfo destination)
    {
        var world = DemoWorlds.For(destination.Endpoint);
        if (world != DemoWorlds.Kvm)
            throw new ConnectorException("NotSupported", $"Demo: converted VMs arrive only at the demo KVM connection ({DemoKvmWorldShape.ConnectionName}), not at {destination.Name}.");
        return world;
    }
}
