using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>Prechecks: what libvirt would refuse, read live from the source and destination hosts before a move.</summary>
public sealed partial class LibvirtConnector
{
    public Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread<IReadOnlyList<PrecheckFinding>>(() =>
    {
        var findings = new List<PrecheckFinding>();
        using var session = new LibvirtSession(plan.Source);
        var sourceUri = plan.SourceHostId ?? session.HostUris[0];
        LibvirtConnection source;
        try
        {
            source = session.Connect(sourceUri);
        }
        catch (LibvirtException e)
        {
            findings.Add(new(FindingSeverity.Critical, "source-unreachable", $"The source host {sourceUri} cannot be reached: {e.LibvirtMessage}"));
            return findings;
        }

        using var domain = source.FindDomain(plan.VmExternalId);
        if (domain is null)
        {
            findings.Add(new(FindingSeverity.Critical, "vm-missing", $"Domain {plan.VmName} ({plan.VmExternalId}) is not on {session.Hostname(sourceUri)}; sync the inventory."));
            return findings;
        }

        var state = domain.State();
        if (plan.Live && state != DomainState.Running)
            findings.Add(new(FindingSeverity.Critical, "vm-not-running", $"A live move needs the domain running; {plan.VmName} is powered {LibvirtPowerStates.ToPortal(state)}."));
        if (state.IsActive() && domain.GetJobStats() is { Active: true })
            findings.Add(new(FindingSeverity.Critical, "job-active", $"{plan.VmName} already has a libvirt job running (another migration, backup or copy)."));
        // libvirt refuses to migrate a domain with snapshots ("cannot migrate domain with 1 snapshots"), and a storage move
        // would delete the original image that holds internal snapshots: either way the move cannot go ahead with them.
        if (domain.SnapshotCount() is var snapshots and > 0)
            findings.Add(new(FindingSeverity.Critical, "existing-snapshots", $"{plan.VmName} has {snapshots} libvirt snapshot(s) on {session.Hostname(sourceUri)}; "
                + "libvirt refuses to move a domain with snapshots. Delete them (virsh snapshot-delete) or merge them first."));
        var description = DomainDescription.Parse(domain.Xml());
        var fileDisks = description.FileDisks.ToList();
        // Each disk's pool is refreshed first, so a file the pool has not seen yet is sized, not counted as 0 bytes.
        var sized = fileDisks.Select(d => (Disk: d, Volume: source.FindVolume(d.Source!, refresh: true))).ToList();
        var diskBytes = sized.Sum(d => d.Volume?.CapacityBytes ?? 0);
        foreach (var (disk, _) in sized.Where(d => d.Volume is null))
            findings.Add(new(FindingSeverity.Warning, "disk-size-unknown", $"{disk.Source} ({disk.Target}) is in no storage pool on {session.Hostname(sourceUri)}; its size is not counted in the room checks."));

        if (plan.Kind.MovesCompute())
        {
            var targetUri = plan.Target.HostId!;
            LibvirtConnection? target = null;
            try
            {
                // Opening a qemu+tls URI checks the host's certificate against the connection's CA: this is the TLS check.
                target = session.Connect(targetUri);
                var peer = session.PeerUri(targetUri);
                findings.Add(targetUri.Contains("+tls", StringComparison.Ordinal)
                    ? new(FindingSeverity.Advisory, "destination-tls", $"{session.Hostname(targetUri)} answered over TLS with a certificate signed by the connection's CA.")
                    : new(FindingSeverity.Advisory, "destination-tls", $"The portal reaches {session.Hostname(targetUri)} over {new Uri(targetUri).Scheme}; the source daemon connects to {peer} and verifies its certificate itself."));
            }
            catch (LibvirtException e)
            {
                findings.Add(new(FindingSeverity.Critical, "destination-unreachable", $"The destination {targetUri} cannot be reached: {e.LibvirtMessage}"));
            }

            if (target is not null)
            {
                var node = target.NodeInfo();
                if (node.FreeMemoryBytes < description.MemoryBytes)
                    findings.Add(new(FindingSeverity.Critical, "memory", $"{session.Hostname(targetUri)} has {node.FreeMemoryBytes / MiB} MiB free; {plan.VmName} needs {description.MemoryBytes / MiB} MiB."));
                using (var existing = target.FindDomain(plan.VmExternalId))
                    if (existing is not null && existing.State().IsActive())
                        findings.Add(new(FindingSeverity.Critical, "already-there", $"A domain with this UUID already runs on {session.Hostname(targetUri)}."));
                findings.Add(CheckCpu(description, target, session.Hostname(targetUri)));
                findings.AddRange(CheckFilesOnDestination(description, plan, target, session.Hostname(sourceUri), session.Hostname(targetUri)));
                if (plan.Kind.MovesStorage())
                    findings.AddRange(CheckPoolRoom(target, plan.Target, diskBytes, session.Hostname(targetUri)));
                else if (fileDisks.Count > 0)
                    findings.Add(new(FindingSeverity.Warning, "local-disks", $"{plan.VmName} has file disks ({string.Join(", ", fileDisks.Select(d => d.Source))}); libvirt refuses a move without a storage copy unless they are on shared storage."));
            }
        }
        else if (plan.Kind == MigrationKind.Storage)
        {
            if (fileDisks.Count == 0)
                findings.Add(new(FindingSeverity.Critical, "no-file-disks", $"{plan.VmName} has no file-backed disk to copy."));
            findings.AddRange(CheckPoolRoom(source, plan.Target, diskBytes, session.Hostname(sourceUri)));
            var pool = source.FindPool(PoolName(plan.Target), refresh: true);
            if (pool?.Path is { } path)
                foreach (var disk in fileDisks.Where(d => Path.GetDirectoryName(d.Source) != path))
                    if (source.FindVolume(Path.Combine(path, Path.GetFileName(disk.Source!))) is not null)
                        findings.Add(new(FindingSeverity.Critical, "target-exists", $"Pool {pool.Name} already holds {Path.GetFileName(disk.Source)}."));
        }
        else
        {
            findings.Add(new(FindingSeverity.Critical, "kind", $"The libvirt connector does not carry out {plan.Kind} moves."));
        }

        return findings;
    }, ct);

    private static IEnumerable<PrecheckFinding> CheckPoolRoom(LibvirtConnection host, MigrationTarget target, long neededBytes, string hostname)
    {
        var pool = host.FindPool(PoolName(target), refresh: true);
        if (pool is null)
        {
            yield return new(FindingSeverity.Critical, "pool-missing", $"Pool {PoolName(target)} is not on {hostname}.");
            yield break;
        }

        if (!pool.Running) yield return new(FindingSeverity.Critical, "pool-inactive", $"Pool {pool.Name} on {hostname} is not active.");
        else if (pool.AvailableBytes < neededBytes)
            yield return new(FindingSeverity.Critical, "pool-full", $"Pool {pool.Name} on {hostname} has {pool.AvailableBytes / MiB} MiB free; the disks need {neededBytes / MiB} MiB.");
        else
            yield return new(FindingSeverity.Advisory, "pool-room", $"Pool {pool.Name} on {hostname} has {pool.AvailableBytes / MiB} MiB free; the disks need {neededBytes / MiB} MiB.");
    }

    /// <summary>
    /// Every file the domain references that the move does not copy (CD-ROM and read-only media, kernel and initrd, and
    /// for a move without storage copy its disks) must already be at the same path on the destination; libvirt would
    /// otherwise fail mid-transfer with "Cannot access storage file".
    /// </summary>
    private static IEnumerable<PrecheckFinding> CheckFilesOnDestination(DomainDescription description, MigrationPlan plan, LibvirtConnection target, string sourceName, string targetName)
    {
        foreach (var file in description.FilesNotCopied(copied: plan.Kind.MovesStorage()))
        {
            bool present;
            string? notChecked = null;
            try
            {
                present = target.FileExists(file.Path);
            }
            catch (LibvirtException e)
            {
                present = false;
                notChecked = e.Message;
            }

            if (notChecked is not null)
            {
                // A host that cannot be asked is not a reason to refuse, but the approver must know it was not checked.
                yield return new(FindingSeverity.Warning, "media-unchecked", $"Could not check that {file.Path} ({file.What}) is on {targetName}: {notChecked}");
                continue;
            }

            if (present) continue;
            yield return file switch
            {
                { Removable: true } => new(FindingSeverity.Critical, "media-missing",
                    $"{file.What} of {plan.VmName} uses {file.Path}, which is on {sourceName} but not on {targetName}, and a migration copies no CD-ROM or read-only disk. "
                    + $"Eject it first (virsh change-media {plan.VmName} {file.Target} --eject), or copy it to the same path on {targetName}."),
                { Target: not null } => new(FindingSeverity.Critical, "disk-missing",
                    $"{file.What} of {plan.VmName} ({file.Path}) is not on {targetName}, and a move without storage copy copies no disk: move it with its storage, or put it on storage both hosts share."),
                _ => new(FindingSeverity.Critical, "boot-file-missing",
                    $"The {file.What} of {plan.VmName} ({file.Path}) is not on {targetName}; copy it to the same path there first."),
            };
        }
    }

    private static PrecheckFinding CheckCpu(DomainDescription description, LibvirtConnection target, string hostname)
    {
        switch (description.CpuMode)
        {
            case null:
                return new(FindingSeverity.Advisory, "cpu", "The domain uses the hypervisor's default CPU model, which every QEMU host offers.");
            case "host-passthrough":
                return new(FindingSeverity.Warning, "cpu", $"The domain passes the host CPU through; {hostname} must have the same CPU model.");
            default:
                if (description.CpuModel is null || description.CpuXml is null) return new(FindingSeverity.Advisory, "cpu", $"CPU mode {description.CpuMode}: libvirt adapts the model at migration.");
                try
                {
                    // Against what the destination's hypervisor can provide for this domain (TCG, KVM, machine type),
                    // not the bare host CPU: virConnectCompareCPU would call a TCG guest's qemu64 incompatible.
                    CpuCompareResult result;
                    string api;
                    try
                    {
                        result = target.CompareHypervisorCpu(description.Emulator, description.Arch, description.Machine, description.VirtType, description.CpuXml);
                        api = "virConnectCompareHypervisorCPU";
                    }
                    catch (LibvirtException e) when (e.Code is LibvirtException.NoSupport or LibvirtException.OperationUnsupported)
                    {
                        result = target.CompareCpu(description.CpuXml);
                        api = "virConnectCompareCPU";
                    }

                    return result == CpuCompareResult.Incompatible
                        ? new(FindingSeverity.Critical, "cpu", $"{hostname} cannot provide the domain's CPU model {description.CpuModel} ({api}: incompatible).")
                        : new(FindingSeverity.Advisory, "cpu", $"{hostname} provides CPU model {description.CpuModel} ({api}: {(result == CpuCompareResult.Identical ? "identical" : "superset")}).");
                }
                catch (LibvirtException e)
                {
                    return new(FindingSeverity.Warning, "cpu", $"libvirt could not compare the CPU model {description.CpuModel} with {hostname}'s: {e.Message}");
                }
        }
    }
}
