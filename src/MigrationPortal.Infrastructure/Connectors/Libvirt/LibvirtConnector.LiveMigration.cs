using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>Compute moves: a peer-to-peer migration (virDomainMigrateToURI3), watched through the domain's job statistics.</summary>
public sealed partial class LibvirtConnector
{
    private string StartMigration(MigrationPlan plan, CancellationToken ct)
    {
        using var session = new LibvirtSession(plan.Source);
        var sourceUri = plan.SourceHostId ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "The request does not record the source host.", "migrate");
        var targetUri = plan.Target.HostId ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "A compute move needs a target host.", "migrate");
        var peer = session.PeerUri(targetUri);
        // The source daemon verifies the destination with the hosts' own PKI; opening it here checks its pin too,
        // so a compute-only move is refused like any other when the destination's certificate is not the pinned one.
        session.Connect(targetUri);
        var connection = session.ConnectOwned(sourceUri); // owned by the migration thread, which closes it
        LibvirtDomain? domain = null;
        try
        {
            domain = connection.RequireDomain(plan.VmExternalId);
            var flags = LibvirtDomain.MigratePeerToPeer | LibvirtDomain.MigratePersistDest | LibvirtDomain.MigrateUndefineSource | LibvirtDomain.MigrateAbortOnError;
            if (plan.Live) flags |= LibvirtDomain.MigrateLive;
            if (plan.Options.RequireEncryption) flags |= LibvirtDomain.MigrateTls;
            if (Settings.AutoConverge) flags |= LibvirtDomain.MigrateAutoConverge;
            var moves = plan.Kind.MovesStorage() ? DiskMoves(session.Connect(targetUri), DomainDescription.Parse(domain.Xml()), plan.Target) : new Dictionary<string, string>();
            var operationId = new LibvirtOperation(LibvirtOperation.Migrate, sourceUri, targetUri, plan.VmExternalId).ToString();
            // Marked before the destination XML is read from the domain, so the mark travels with it (FindOperationAsync).
            var creates = plan.Kind.MovesStorage() ? WillCreate(session.Connect(targetUri), DomainDescription.Parse(domain.Xml()), moves) : [];
            new TransferMark(plan.RequestId, operationId, _time.GetUtcNow(), creates).WriteTo(domain);
            var parameters = new TypedParameters();
            if (Settings.BandwidthMiBps is { } bandwidth) parameters.Add("bandwidth", (ulong)bandwidth);
            if (plan.Kind.MovesStorage())
            {
                flags |= LibvirtDomain.MigrateNonSharedDisk;
                if (moves.Count > 0)
                {
                    // The target pool lives at another path: libvirt pre-creates and writes the disks where the destination XML says.
                    parameters.Add("destination_xml", DomainDescription.WithDiskPaths(domain.Xml(LibvirtDomain.XmlMigratable), moves));
                    parameters.Add("persistent_xml", DomainDescription.WithDiskPaths(domain.Xml(LibvirtDomain.XmlInactive | LibvirtDomain.XmlMigratable), moves));
                }
            }

            if (Settings.MaxDowntimeMs is { } downtime) domain.SetMaxDowntime(TimeSpan.FromMilliseconds(downtime));
            var job = _jobs.Add(operationId, new LibvirtRunningJob());
            var migrating = domain;
            domain = null; // the thread owns it now
            var description = $"{(plan.Live ? "Live" : "Offline")} peer-to-peer migration{(plan.Kind.MovesStorage() ? " with storage copy" : "")} "
                + $"{(plan.Options.RequireEncryption ? "over TLS" : "WITHOUT encryption (administrator policy)")} to {peer}";
            var destination = session.Hostname(targetUri);
            job.Start($"libvirt migrate {plan.VmName}", _ =>
            {
                using (connection)
                using (migrating)
                using (parameters)
                {
                    try
                    {
                        migrating.MigrateToUri3(peer, parameters, flags);
                    }
                    catch (LibvirtException e)
                    {
                        throw MigrationFailure(e, connection.Host, destination, peer);
                    }
                }

                return description;
            });
            WaitUntilVisible(session, sourceUri, plan.VmExternalId, job, ct);
            return operationId;
        }
        catch
        {
            domain?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns once libvirt shows the job (or it already ended), so an operation ID is never recorded for a job that a
    /// restarted process could not find; a cancelled caller aborts the job it has just started.
    /// </summary>
    private void WaitUntilVisible(LibvirtSession session, string hostUri, string uuid, LibvirtRunningJob job, CancellationToken ct)
    {
        using var domain = session.Connect(hostUri).RequireDomain(uuid);
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!job.Completion.IsCompleted && _time.GetUtcNow() < deadline)
        {
            if (ct.IsCancellationRequested)
            {
                job.RequestCancel();
                try { domain.AbortJob(); } catch (LibvirtException) { /* the job may not have appeared yet; the thread's call then fails on its own */ }
                ct.ThrowIfCancellationRequested();
            }

            try
            {
                if (domain.GetJobStats() is { Active: true }) return;
            }
            catch (LibvirtException e) when (e.Code == LibvirtException.OperationInvalid)
            {
                return; // "domain is not running": the migration already switched over
            }

            if (job.Completion.IsCompleted) return;
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// A failed virDomainMigrateToURI3, reported by the source daemon about its own connection to the destination:
    /// libvirt's text alone ("internal error: client socket is closed") says neither host, so both are named. A source
    /// without its own client PKI (libvirt's default files, read by the source daemon for a peer-to-peer TLS migration)
    /// gets a message that says which host lacks which file.
    /// </summary>
    internal static LibvirtException MigrationFailure(LibvirtException e, string sourceHost, string destination, string peer)
    {
        var pki = MissingPkiFile().Match(e.LibvirtMessage);
        var text = pki.Success
            ? $"its libvirtd cannot read its own {pki.Groups[1].Value} '{pki.Groups[2].Value}', which it needs to connect to {destination} ({peer}) for the "
                + $"peer-to-peer TLS migration. Install the host's PKI on the source host (docs/operations.md, \"The hosts' own PKI\"). libvirt: {e.LibvirtMessage}"
            : $"the migration to {destination} ({peer}) failed: {e.LibvirtMessage}";
        return new LibvirtException(e.Code, e.ErrorDomain, text, e.Operation, sourceHost);
    }

    /// <summary>libvirt's virNetTLSContextCheckCertFile: "Cannot read CA certificate '/etc/pki/CA/cacert.pem': No such file or directory".</summary>
    [System.Text.RegularExpressions.GeneratedRegex("Cannot read (CA certificate|certificate revocation list|certificate|private key) '([^']+)'")]
    private static partial System.Text.RegularExpressions.Regex MissingPkiFile();

    private (TransferProgress? Progress, TransferOutcome? Outcome) PollMigration(MigrationPlan plan, LibvirtOperation operation, LibvirtSession session, LibvirtDomain? domain)
    {
        try
        {
            if (domain is not null && domain.State().IsActive())
            {
                var stats = domain.GetJobStats();
                if (stats.Active) return (ToProgress(stats), null);
                if (!OnTarget(session, operation))
                {
                    var completed = domain.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
                    var reason = completed.ErrorMessage is { } failed ? $"the migration to {operation.Target} failed: {failed}"
                        : completed.Type == JobType.None ? "no migration job is running and the domain is still on the source" : $"libvirt reports the job as {completed.Type}";
                    return (null, new TransferOutcome(completed.Type == JobType.Cancelled ? TransferResult.Cancelled : TransferResult.Failed,
                        $"{reason}; {plan.VmName} is still on {session.Hostname(operation.SourceUri)}."));
                }
            }
        }
        catch (LibvirtException e) when (e.Code == LibvirtException.NoDomain)
        {
            // Switch-over happened between the lookup and the read: with undefine-source the source's domain is
            // gone, so whether the VM now runs on the target decides, as below. (Seen in CI on a reconcile.)
            _logger.LogDebug("{Domain} left {Host} while it was being polled: {Reason}", plan.VmName, operation.SourceUri, e.Message);
        }

        if (OnTarget(session, operation))
            return (null, TransferOutcome.Success($"{plan.VmName} runs on {session.Hostname(operation.Target)}.", DowntimeOnTarget(session, operation)));
        return (null, new TransferOutcome(TransferResult.Failed, $"{plan.VmName} is on neither {session.Hostname(operation.SourceUri)} nor {session.Hostname(operation.Target)}."));
    }

    private static bool OnTarget(LibvirtSession session, LibvirtOperation operation)
    {
        using var there = session.Connect(operation.Target).FindDomain(operation.DomainUuid);
        return there is not null && there.State().IsActive();
    }

    /// <summary>With undefine-source the source's domain is gone, so the completed job's statistics are read on the destination.</summary>
    private TimeSpan? DowntimeOnTarget(LibvirtSession session, LibvirtOperation operation)
    {
        try
        {
            using var there = session.Connect(operation.Target).FindDomain(operation.DomainUuid);
            var stats = there?.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
            return stats?.DowntimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
        }
        catch (LibvirtException e)
        {
            _logger.LogWarning("Could not read the completed job statistics on {Host}: {Reason}", operation.Target, e.Message);
            return null;
        }
    }

    private static TransferProgress ToProgress(JobStats stats)
    {
        var total = (long)(stats.DataTotal ?? 0);
        var done = (long)(stats.DataProcessed ?? 0);
        var remaining = (long)(stats.DataRemaining ?? (ulong)Math.Max(0, total - done));
        var bps = (double)((stats.MemoryBps ?? 0) + (stats.DiskBps ?? 0));
        TimeSpan? eta = stats.RemainingMs is { } ms and > 0 ? TimeSpan.FromMilliseconds(ms) : bps > 0 ? TimeSpan.FromSeconds(remaining / bps) : null;
        var phase = string.Create(CultureInfo.InvariantCulture, $"migrating: {bps / MiB:0.0} MiB/s")
            + (stats.MemoryIteration is { } it and > 1 ? $", pass {it}" : "")
            + (stats.MemoryDirtyRate is { } dirty and > 0 ? $", {dirty} dirty pages/s" : "")
            + (stats.AutoConvergeThrottle is { } throttle and > 0 ? $", guest throttled {throttle}%" : "");
        return new TransferProgress(phase, total == 0 ? 0 : Math.Min(99.9, 100.0 * done / total), done, total, eta);
    }

    /// <summary>The destination paths of the disks a storage copy writes that the destination does not hold yet: libvirt pre-creates these.</summary>
    private static List<string> WillCreate(LibvirtConnection target, DomainDescription description, IReadOnlyDictionary<string, string> moves) =>
        description.FileDisks.Select(d => moves.TryGetValue(d.Source!, out var moved) ? moved : d.Source!).Where(path => !target.FileExists(path)).ToList();

    private static Dictionary<string, string> DiskMoves(LibvirtConnection target, DomainDescription description, MigrationTarget to)
    {
        var pool = target.FindPool(PoolName(to), refresh: true) ?? throw new LibvirtException(LibvirtException.NoStoragePool, LibvirtException.FromNone, $"Pool {PoolName(to)} is not on the destination.", "migrate", target.Host);
        var moves = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pool.Path is null) return moves;
        foreach (var disk in description.FileDisks.Where(d => Path.GetDirectoryName(d.Source) != pool.Path))
            moves[disk.Source!] = Path.Combine(pool.Path, Path.GetFileName(disk.Source!));
        return moves;
    }
}
