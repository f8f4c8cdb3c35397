using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The disk files a storage move leaves behind. A peer-to-peer migration with storage copy leaves the source's disk in
/// its pool when it succeeds, and libvirt leaves the disk it pre-created on the destination when it fails or is
/// cancelled (a later move into that pool is then refused: "pool already holds vm1.qcow2"). A block copy within a host
/// leaves its partial copy in the target pool. These are found through the pools (refreshed first), removed with
/// virStorageVolDelete unless <see cref="LibvirtOptions.LeftoverDisks"/> keeps them, and never while any domain on that
/// host (the VM included) references the file. Only a move whose <see cref="TransferMark"/> shows it reached libvirt is
/// cleaned up after a failure: a file in the target pool before the move is not the move's to delete.
/// </summary>
public sealed partial class LibvirtConnector
{
    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) => OnLibvirtThread(() =>
    {
        if (!plan.Kind.MovesStorage()) return CleanupReport.Removed("Nothing left behind: a compute-only move copies no disk file.");
        using var session = new LibvirtSession(plan.Source);
        try
        {
            return RemoveLeftovers(plan, ending, session);
        }
        catch (LibvirtException e)
        {
            // Nothing was removed that the report does not name; the files stay until an administrator looks (the error names the host).
            return CleanupReport.Retained($"Disk files the move may have left behind were not looked for, so none was removed: {e.Message}");
        }
    }, ct);

    private CleanupReport RemoveLeftovers(MigrationPlan plan, MoveEnding ending, LibvirtSession session)
    {
        var sourceUri = plan.SourceHostId ?? session.HostUris[0];
        var targetUri = plan.Kind == MigrationKind.Storage ? sourceUri : plan.Target.HostId ?? sourceUri;
        var (vmHost, disks, mark) = FindVm(plan, session, ending == MoveEnding.Succeeded ? [targetUri, sourceUri] : [sourceUri, targetUri]);
        if (vmHost is null)
            return CleanupReport.Retained($"{plan.VmName} is on none of the connection's hosts, so the portal cannot tell which disk files are leftovers; none was removed.");
        if (mark?.RequestId != plan.RequestId)
            return CleanupReport.Removed($"Nothing left behind: no transfer of this request reached libvirt ({plan.VmName} carries {mark?.Describe() ?? "no mark of it"}).");

        // Succeeded: the files in the source pools, on the source host. Failed or cancelled: the copies in the target pool, on the target host.
        var (leftoverUri, pools) = ending == MoveEnding.Succeeded
            ? (sourceUri, (plan.SourceDatastoreName ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => d.Split('@')[0]).Distinct().ToList())
            : (targetUri, [PoolName(plan.Target)]);
        var host = session.Connect(leftoverUri);
        var hostname = $"{session.Hostname(leftoverUri)} ({leftoverUri})";
        var inUse = DiskFilesInUse(host);
        var found = new List<(string Path, string Pool, long Bytes)>();
        var skipped = new List<string>();
        foreach (var poolName in pools)
        {
            var pool = host.FindPool(poolName, refresh: true);
            if (pool?.Path is null)
            {
                skipped.Add($"pool {poolName} is not on {hostname} (or has no folder)");
                continue;
            }

            foreach (var disk in disks)
            {
                var path = Path.Combine(pool.Path, Path.GetFileName(disk));
                if (leftoverUri == vmHost && disks.Contains(path)) continue; // the VM's own disk, where it now runs
                // After a failure only what the move itself created is its to remove (a file there before the move is not).
                if (ending != MoveEnding.Succeeded && !mark.Creates.Contains(path)) continue;
                if (host.FindVolume(path) is not { } volume) continue;
                if (inUse.TryGetValue(path, out var user))
                {
                    skipped.Add($"{path} in pool {poolName} is in use by domain {user}, so it is not removed");
                    continue;
                }

                found.Add((path, poolName, volume.AllocationBytes));
            }
        }

        var also = skipped.Count == 0 ? "" : " " + string.Join("; ", skipped) + ".";
        var what = ending == MoveEnding.Succeeded ? "the source copy after the move" : $"the copy pre-created for the {ending.ToString().ToLowerInvariant()} move";
        if (found.Count == 0)
            return CleanupReport.Removed($"Nothing left behind on {hostname}: no {what} in pool {string.Join(", ", pools)}.{also}");
        var files = string.Join(", ", found.Select(f => $"{Path.GetFileName(f.Path)} in pool {f.Pool} ({f.Path}, {f.Bytes / (double)MiB:0.#} MiB)"));
        if (Settings.LeftoverDisks == LeftoverDisks.Keep)
            return CleanupReport.Retained($"Kept {what} on {hostname}, as Libvirt:LeftoverDisks is Keep: {files}.{also}");
        foreach (var file in found) host.DeleteVolume(file.Path);
        foreach (var poolName in found.Select(f => f.Pool).Distinct()) host.FindPool(poolName, refresh: true);
        return CleanupReport.Removed($"Removed {what} on {hostname}: {files}.{also}");
    }

    /// <summary>The host the VM is on (active first, in the order given), its file disk paths there, and its transfer mark.</summary>
    private static (string? HostUri, IReadOnlyList<string> Disks, TransferMark? Mark) FindVm(MigrationPlan plan, LibvirtSession session, IEnumerable<string> hostUris)
    {
        (string? HostUri, IReadOnlyList<string> Disks, TransferMark? Mark)? inactive = null;
        foreach (var uri in hostUris.Distinct())
        {
            using var domain = session.Connect(uri).FindDomain(plan.VmExternalId);
            if (domain is null) continue;
            (string? HostUri, IReadOnlyList<string> Disks, TransferMark? Mark) found = (uri, DomainDescription.Parse(domain.Xml()).FileDisks.Select(d => d.Source!).ToList(), TransferMark.ReadFrom(domain));
            if (domain.State().IsActive()) return found;
            inactive ??= found;
        }

        return inactive ?? (null, [], null);
    }

    /// <summary>Every file any domain on the host references (running or persistent definition), with that domain's name.</summary>
    private static Dictionary<string, string> DiskFilesInUse(LibvirtConnection host)
    {
        var inUse = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var domain in host.ListDomains())
            using (domain)
            {
                var definitions = domain.IsPersistent() && domain.State().IsActive() ? new[] { domain.Xml(), domain.Xml(LibvirtDomain.XmlInactive) } : [domain.Xml()];
                foreach (var description in definitions.Select(DomainDescription.Parse))
                foreach (var disk in description.Disks.Where(d => d.Source is not null))
                    inUse.TryAdd(disk.Source!, description.Name);
            }

        return inUse;
    }
}
