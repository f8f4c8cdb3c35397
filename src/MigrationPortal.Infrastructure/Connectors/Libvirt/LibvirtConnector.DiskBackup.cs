using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>Pre-migration protection: a push-mode disk backup copy beside each disk (libvirt refuses to migrate a domain with snapshots).</summary>
public sealed partial class LibvirtConnector
{
    public Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        // A disk backup copy, not a libvirt snapshot: libvirt refuses to migrate a domain that has snapshots.
        using var session = new LibvirtSession(plan.Source);
        var hostUri = plan.SourceHostId ?? session.HostUris[0];
        var host = session.Connect(hostUri);
        using var domain = host.RequireDomain(plan.VmExternalId);
        var disks = DomainDescription.Parse(domain.Xml()).FileDisks.ToList();
        if (disks.Count == 0) throw new LibvirtException(LibvirtException.OperationInvalid, LibvirtException.FromNone, $"{plan.VmName} has no file disk to back up.", "backup");
        var suffix = plan.RequestId.ToString("N")[..12];
        var targets = disks.Select(d => (Disk: d, Path: Path.Combine(Path.GetDirectoryName(d.Source!)!, $"{Path.GetFileNameWithoutExtension(d.Source)}.backup-{suffix}.qcow2"))).ToList();
        var xml = $"<domainbackup mode='push'><disks>{string.Concat(targets.Select(t =>
            $"<disk name='{Escape(t.Disk.Target)}' backup='yes' type='file'><target file='{Escape(t.Path)}'/><driver type='qcow2'/></disk>"))}</disks></domainbackup>";
        domain.BeginBackup(xml);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var job = domain.GetJobStats();
            if (!job.Active) break;
            Thread.Sleep(Settings.PollInterval);
        }

        var done = domain.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
        if (done.Type != JobType.Completed)
            throw new LibvirtException(LibvirtException.OperationInvalid, LibvirtException.FromNone, $"The disk backup did not complete: {done.ErrorMessage ?? done.Type.ToString()}.", "backup", host.Host);
        return "disk-backup|" + Uri.EscapeDataString(hostUri) + "|" + string.Join(';', targets.Select(t => Uri.EscapeDataString(t.Path)));
    }, ct);

    public Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct) => OnLibvirtThread(() =>
    {
        var parts = snapshotId.Split('|');
        if (parts.Length != 3 || parts[0] != "disk-backup") throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, $"'{snapshotId}' is not a disk backup of this portal.", "remove backup");
        using var session = new LibvirtSession(plan.Source);
        var host = session.Connect(Uri.UnescapeDataString(parts[1]));
        var missing = new List<string>();
        foreach (var path in parts[2].Split(';').Select(Uri.UnescapeDataString))
        {
            if (host.DeleteVolume(path)) continue;
            _logger.LogWarning("Disk backup {Path} was not found in any pool; nothing to remove.", path);
            missing.Add(path);
        }

        return SnapshotCleanup.Removed(missing.Count == 0 ? "Disk backup removed." : $"Disk backup removed; not found (nothing to remove): {string.Join(", ", missing)}.");
    }, ct);
}
