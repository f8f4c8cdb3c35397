using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>Storage moves within a host: a block copy of each file disk into the target pool, then a pivot.</summary>
public sealed partial class LibvirtConnector
{
    private string StartBlockCopy(MigrationPlan plan)
    {
        using var session = new LibvirtSession(plan.Source);
        var hostUri = plan.SourceHostId ?? session.HostUris[0];
        var poolName = PoolName(plan.Target);
        var connection = session.ConnectOwned(hostUri);
        try
        {
            var pool = connection.FindPool(poolName, refresh: true) ?? throw new LibvirtException(LibvirtException.NoStoragePool, LibvirtException.FromNone, $"Pool {poolName} is not on {session.Hostname(hostUri)}.", "block copy");
            var targetPath = pool.Path ?? throw new LibvirtException(LibvirtException.OperationInvalid, LibvirtException.FromNone, $"Pool {poolName} has no target path (only directory-like pools can take a block copy).", "block copy");
            var operationId = new LibvirtOperation(LibvirtOperation.BlockCopy, hostUri, poolName, plan.VmExternalId).ToString();
            using (var marked = connection.RequireDomain(plan.VmExternalId))
            {
                var creates = DomainDescription.Parse(marked.Xml()).FileDisks.Where(d => Path.GetDirectoryName(d.Source) != targetPath)
                    .Select(d => Path.Combine(targetPath, Path.GetFileName(d.Source!))).Where(path => connection.FindVolume(path) is null).ToList();
                new TransferMark(plan.RequestId, operationId, _time.GetUtcNow(), creates).WriteTo(marked);
            }
            var job = _jobs.Add(operationId, new LibvirtRunningJob());
            job.Start($"libvirt blockcopy {plan.VmName}", running =>
            {
                using (connection) return CopyDisks(connection, plan, poolName, targetPath, running);
            });
            return operationId;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies each file disk into the target pool and pivots to it. libvirt refuses a block copy of a persistent domain
    /// unless the job is marked transient (VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB, libvirt 1.3.3+), which is tried first;
    /// if refused, libvirt's older documented way is used: keep the definition, undefine, copy, pivot, define it again.
    /// </summary>
    private string CopyDisks(LibvirtConnection connection, MigrationPlan plan, string poolName, string targetPath, LibvirtRunningJob running)
    {
        using var domain = connection.RequireDomain(plan.VmExternalId);
        var ways = new List<string>();
        foreach (var disk in DomainDescription.Parse(domain.Xml()).FileDisks.Where(d => Path.GetDirectoryName(d.Source) != targetPath).ToList())
        {
            var destination = Path.Combine(targetPath, Path.GetFileName(disk.Source!));
            var destinationXml = $"<disk type='file'><source file='{Escape(destination)}'/><driver type='{Escape(disk.Format ?? "raw")}'/></disk>";
            string? savedDefinition = null;
            // Libvirt:BlockCopyWay=Redefine skips the transient job; otherwise only libvirt refusing it leads to redefining.
            string? redefineBecause = Settings.BlockCopyWay == BlockCopyWay.Redefine && domain.IsPersistent() ? "Libvirt:BlockCopyWay is Redefine" : null;
            if (redefineBecause is null)
            {
                try
                {
                    domain.BlockCopy(disk.Target, destinationXml, LibvirtDomain.BlockCopyTransientJob);
                    ways.Add($"{disk.Target}: transient block job");
                }
                catch (LibvirtException e) when (e.Code is LibvirtException.OperationInvalid or LibvirtException.InvalidArg or LibvirtException.NoSupport && domain.IsPersistent())
                {
                    redefineBecause = e.Message;
                }
            }

            var keptDefinitionFile = Path.Combine(Path.GetTempPath(), $"mp-libvirt-{plan.VmExternalId}-{plan.RequestId:N}.xml");
            if (redefineBecause is not null)
            {
                savedDefinition = domain.Xml(LibvirtDomain.XmlInactive);
                File.WriteAllText(keptDefinitionFile, savedDefinition); // kept until the domain is defined again, should this process die in between
                _logger.LogWarning("No transient block copy of {Domain} ({Reason}); undefining it for the copy, definition kept in {File}.", plan.VmName, redefineBecause, keptDefinitionFile);
                domain.Undefine();
                try
                {
                    domain.BlockCopy(disk.Target, destinationXml, 0);
                }
                catch
                {
                    using (connection.DefineDomain(savedDefinition)) { }
                    throw;
                }

                ways.Add($"{disk.Target}: undefine, copy, pivot, define again");
            }

            try
            {
                WaitAndPivot(domain, disk.Target, running);
            }
            finally
            {
                if (savedDefinition is not null)
                {
                    var pivoted = DomainDescription.Parse(domain.Xml()).Disks.Any(d => d.Target == disk.Target && d.Source == destination);
                    using (connection.DefineDomain(pivoted ? DomainDescription.WithDiskPaths(savedDefinition, new Dictionary<string, string> { [disk.Source!] = destination }) : savedDefinition)) { }
                    File.Delete(keptDefinitionFile);
                }
            }

            // libvirt 9 rewrites the persistent definition after a transient job's pivot; older versions may not.
            var persistent = DomainDescription.Parse(domain.Xml(LibvirtDomain.XmlInactive));
            if (persistent.Disks.Any(d => d.Target == disk.Target && d.Source == disk.Source))
            {
                using (connection.DefineDomain(DomainDescription.WithDiskPaths(domain.Xml(LibvirtDomain.XmlInactive), new Dictionary<string, string> { [disk.Source!] = destination }))) { }
                ways[^1] += " (the portal rewrote the persistent definition)";
            }

            // The copy is now the disk; the original is removed so a storage move frees its pool, as a move should, unless
            // Libvirt:LeftoverDisks keeps it (the clean-up step then reports it as kept).
            if (Settings.LeftoverDisks == LeftoverDisks.Keep) ways[^1] += $" ({disk.Source} kept: Libvirt:LeftoverDisks is Keep)";
            else if (!connection.DeleteVolume(disk.Source!)) _logger.LogWarning("{Path} is in no pool; left in place after the copy.", disk.Source);
        }

        connection.FindPool(poolName, refresh: true);
        return $"Block copy to pool {poolName} and pivot ({string.Join("; ", ways)}).";
    }

    private void WaitAndPivot(LibvirtDomain domain, string disk, LibvirtRunningJob running)
    {
        while (true)
        {
            if (running.CancelRequested)
            {
                if (domain.BlockJob(disk) is not null) domain.BlockJobAbort(disk, 0);
                throw new LibvirtException(LibvirtException.OperationAborted, LibvirtException.FromNone, "operation aborted: block copy cancelled; the disk stays where it was.", "virDomainBlockJobAbort", domain.Host);
            }

            var job = domain.BlockJob(disk) ?? throw new LibvirtException(LibvirtException.OperationAborted, LibvirtException.FromNone, $"The block copy of {disk} ended before the pivot (it was aborted).", "virDomainGetBlockJobInfo", domain.Host);
            if (job.End > 0 && job.Cur == job.End)
            {
                try
                {
                    domain.BlockJobAbort(disk, LibvirtDomain.BlockJobAbortPivot);
                    return;
                }
                catch (LibvirtException e) when (e.Code is LibvirtException.OperationInvalid or LibvirtException.BlockCopyActive)
                {
                    // "not ready for pivot yet": the mirror is still catching up with writes.
                }
            }

            Thread.Sleep(Settings.PollInterval);
        }
    }

    private static (TransferProgress? Progress, TransferOutcome? Outcome) PollBlockCopy(MigrationPlan plan, LibvirtOperation operation, LibvirtSession session, LibvirtConnection source, LibvirtDomain? domain)
    {
        if (domain is null) return (null, new TransferOutcome(TransferResult.Failed, $"{plan.VmName} is no longer on {session.Hostname(operation.SourceUri)}."));
        var disks = DomainDescription.Parse(domain.Xml()).FileDisks.ToList();
        var jobsNow = disks.Select(d => domain.BlockJob(d.Target)).Where(j => j is not null).Select(j => j!.Value).ToList();
        if (jobsNow.Count > 0)
        {
            var cur = jobsNow.Sum(j => (long)j.Cur);
            var end = jobsNow.Sum(j => (long)j.End);
            return (new TransferProgress("copying disks", end == 0 ? 0 : 100.0 * cur / end, cur, end, null), null);
        }

        var pool = source.FindPool(operation.Target, refresh: false);
        var moved = pool?.Path is { } path && disks.All(d => Path.GetDirectoryName(d.Source) == path);
        return (null, moved
            ? TransferOutcome.Success($"The disks of {plan.VmName} are in pool {operation.Target}.")
            : new TransferOutcome(TransferResult.Failed, $"The block copy is no longer running and the disks of {plan.VmName} are still in {string.Join(", ", disks.Select(d => d.Source))}."));
    }
}
