using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// The prechecks of a VMware-to-KVM conversion, each a finding with a severity, none waiting for the transfer to fail: what
/// the source VM is (snapshots, RDM or independent disks, firmware, guest OS), where it would land (room in each pool,
/// mapped networks that exist, a name or UUID already taken) and what protects each leg. They replace the source
/// connector's own compute and storage prechecks for a cross-platform plan (<see cref="MigrationPrechecks"/>).
/// </summary>
public sealed class ConversionPrechecks(IConnectorResolver connectors, IOptions<ConversionOptions> options)
{
    public async Task<IReadOnlyList<PrecheckFinding>> CheckAsync(MigrationPlan plan, CancellationToken ct)
    {
        var findings = new List<PrecheckFinding>();
        if (plan.Conversion is not { } settings)
        {
            findings.Add(new(FindingSeverity.Critical, "conversion-settings", "The request has no network and storage mappings for the conversion."));
            return findings;
        }

        var source = ConversionAccess.SourceOf(connectors.Resolve(plan.Source.Kind), plan);
        var destination = ConversionAccess.DestinationOf(connectors.Resolve(plan.Destination.Kind), plan);
        var vm = await source.DescribeForConversionAsync(plan, ct);
        var settingsNow = options.Value;

        if (vm.SnapshotCount > 0)
            findings.Add(new(FindingSeverity.Critical, "snapshots",
                $"VM '{vm.Name}' has {vm.SnapshotCount} snapshot(s). The export reads the disks' current state through their snapshot chain, which it cannot read consistently; consolidate or delete the snapshots first."));
        foreach (var disk in vm.Disks)
        {
            if (disk.Backing == DiskBacking.RawDeviceMapping)
                findings.Add(new(FindingSeverity.Critical, "rdm", $"{disk.Label} ({disk.FilePath}) is a raw device mapping: a LUN, not a file, which the conversion cannot carry."));
            else if (disk.Backing == DiskBacking.Other)
                findings.Add(new(FindingSeverity.Critical, "disk-backing", $"{disk.Label} ({disk.FilePath}) has a backing the conversion cannot read."));
            if (disk.Independent)
                findings.Add(new(FindingSeverity.Critical, "independent-disk", $"{disk.Label} ({disk.FilePath}) is independent: the export skips it, so the converted VM would lack it. Make it dependent first."));
        }

        if (vm.Firmware == Firmware.Efi && !settingsNow.DestinationHasOvmf)
            findings.Add(new(FindingSeverity.Warning, "firmware",
                $"VM '{vm.Name}' boots with EFI, and the destination is not configured as having OVMF (Conversion:DestinationHasOvmf): the domain may not boot."));
        if (vm.IsWindows && !settingsNow.VirtioWindowsDriversConfigured)
            findings.Add(new(FindingSeverity.Critical, "guest-os",
                $"VM '{vm.Name}' runs {vm.GuestFullName ?? vm.GuestId}: a Windows guest needs virtio drivers injected, and none are configured (Conversion:VirtioWindowsDriversConfigured)."));

        await CheckStorageAsync(plan, settings, vm, destination, findings, ct);
        await CheckNetworksAsync(plan, settings, vm, destination, findings, ct);

        var uuid = settings.KeepIdentity ? vm.BiosUuid : null;
        var clash = await destination.FindClashAsync(plan, vm.Name, uuid, ct);
        if (clash.ByName is { } byName)
            findings.Add(new(FindingSeverity.Critical, "name-clash", $"The target host already has a domain named '{vm.Name}' ({byName})."));
        if (clash.ByUuid is { } byUuid)
            findings.Add(new(FindingSeverity.Critical, "uuid-clash", $"The target host already has a domain with UUID {uuid} ({byUuid}), which the converted VM would keep."));

        findings.Add(Encryption(plan));
        return findings;
    }

    private static async Task CheckStorageAsync(MigrationPlan plan, ConversionSettings settings, ConvertibleVm vm, IConversionDestination destination, List<PrecheckFinding> findings, CancellationToken ct)
    {
        var byPool = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var disk in vm.Disks)
        {
            if (settings.StorageFor(disk.DatastoreName) is not { } map)
            {
                findings.Add(new(FindingSeverity.Critical, "unmapped-datastore", $"{disk.Label} is on datastore '{disk.DatastoreName}', which the storage map does not map to a pool."));
                continue;
            }

            byPool[map.TargetPool] = byPool.GetValueOrDefault(map.TargetPool) + disk.CapacityBytes;
        }

        foreach (var (pool, needed) in byPool)
        {
            // Refreshed by the connector before it is read, so a volume made behind libvirt's back is counted.
            var space = await destination.GetPoolSpaceAsync(plan, pool, ct);
            if (!space.Active)
                findings.Add(new(FindingSeverity.Critical, "pool-inactive", $"Pool '{pool}' on the target host is not active."));
            else if (space.AvailableBytes < needed)
                findings.Add(new(FindingSeverity.Critical, "pool-space",
                    $"Pool '{pool}' has {Gib(space.AvailableBytes)} free, and the disks mapped to it need {Gib(needed)} (their full capacity, since the volumes may fill)."));
        }
    }

    private static async Task CheckNetworksAsync(MigrationPlan plan, ConversionSettings settings, ConvertibleVm vm, IConversionDestination destination, List<PrecheckFinding> findings, CancellationToken ct)
    {
        var targets = new HashSet<(NetworkTargetKind, string)>();
        foreach (var nic in vm.Nics)
        {
            if (settings.NetworkFor(nic.NetworkName) is { } map) targets.Add((map.TargetKind, map.TargetName));
            else
                findings.Add(new(FindingSeverity.Critical, "unmapped-network",
                    $"{nic.Label} ({nic.MacAddress}) is on network '{nic.NetworkName ?? "(none)"}', which the network map does not map."));
        }

        foreach (var (kind, name) in targets)
        {
            var (exists, message) = await destination.NetworkExistsAsync(plan, kind, name, ct);
            if (!exists)
                findings.Add(new(FindingSeverity.Critical, "network-missing", $"The mapped {kind.ToString().ToLowerInvariant()} '{name}' is not on the target host: {message}"));
        }
    }

    /// <summary>
    /// What protects each leg: vCenter to the portal (HTTPS with the pinned thumbprint) and the portal to libvirt (a
    /// qemu+tls URI). Both → Advisory saying so; an unprotected leg is Critical unless its connection's administrator
    /// policy (AllowUnencryptedMigration) allows it, then a Warning that says the policy was used.
    /// </summary>
    public static PrecheckFinding Encryption(MigrationPlan plan)
    {
        var (sourceSafe, destinationSafe, description) = DescribeEncryption(plan);
        if (sourceSafe && destinationSafe) return new(FindingSeverity.Advisory, "encryption", description);
        var blocked = (!sourceSafe && !plan.Source.AllowUnencryptedMigration) || (!destinationSafe && !plan.Destination.AllowUnencryptedMigration);
        return blocked
            ? new(FindingSeverity.Critical, "encryption", description + " No administrator policy allows an unprotected leg.")
            : new(FindingSeverity.Warning, "encryption", description + " The connection's administrator policy allows the unprotected leg.");
    }

    /// <summary>Both legs' protection in words, as the precheck and the confirm-encryption step record it.</summary>
    public static (bool SourceSafe, bool DestinationSafe, string Description) DescribeEncryption(MigrationPlan plan)
    {
        var sourceSafe = !string.IsNullOrWhiteSpace(plan.Source.PinnedThumbprint);
        var hostUri = plan.Target.HostId ?? "";
        var destinationSafe = hostUri.StartsWith("qemu+tls", StringComparison.OrdinalIgnoreCase);
        var sourceLeg = sourceSafe
            ? $"vCenter '{plan.Source.Name}' to the portal: HTTPS pinned to thumbprint {plan.Source.PinnedThumbprint}"
            : $"vCenter '{plan.Source.Name}' to the portal: HTTPS NOT pinned (any certificate would be trusted)";
        var destinationLeg = destinationSafe
            ? $"the portal to libvirt: TLS ({hostUri})"
            : $"the portal to libvirt: NOT TLS ({(hostUri.Length == 0 ? "no target host" : hostUri)})";
        return (sourceSafe, destinationSafe, $"Encryption: {sourceLeg}; {destinationLeg}.");
    }

    private static string Gib(long bytes) => bytes >= 1073741824 ? $"{bytes / 1073741824.0:0.##} GiB" : $"{bytes / 1048576.0:0.#} MiB";
}
