using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// KVM through libvirt's C API. A portal connection lists one libvirt URI per host; hosts are those URIs, VMs are
/// domains (identified by UUID, which survives a migration), datastores are storage pools ("pool@host").
/// A compute move is a peer-to-peer live migration (virDomainMigrateToURI3) encrypted with TLS unless the plan turned
/// encryption off; a storage move within a host is a block copy to the target pool followed by a pivot.
/// Every libvirt call runs on a dedicated thread: they block on the network, a migration for its whole length.
/// </summary>
public sealed partial class LibvirtConnector(LibvirtJobRegistry jobs, IOptions<LibvirtOptions> options, TimeProvider time, ILogger<LibvirtConnector> logger) : IHypervisorConnector
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>Polls in a row that may fail while a domain switches hosts before the failure is the watch's result.</summary>
    private const int MaxConsecutiveFailedPolls = 3;

    private LibvirtOptions Settings => options.Value;

    public string Kind => ConnectionKinds.Libvirt;

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct)
    {
        // Every qemu+tls host's certificate, checked against the connection's CA and compared with that host's pin, so
        // the administrator sees each thumbprint to pin; the first one is the result's thumbprint (the connection-wide pin).
        var thumbprints = new List<string>();
        string? first = null;
        foreach (var host in LibvirtEndpoint.Parse(connection.Endpoint, connection.PinnedThumbprint).Where(h => h.IsTls))
        {
            var uri = new Uri(host.Uri);
            var thumbprint = await TlsCertificateProbe.ReadThumbprintAsync(uri, connection.CaCertificatePem, connection.ClientCertificatePem, connection.ClientKeyPem, ct);
            first ??= thumbprint;
            if (host.Pin is { } pin && !string.Equals(pin, thumbprint, StringComparison.OrdinalIgnoreCase))
                return new ConnectionTestResult(false, $"The certificate of {uri.Host} ({host.Uri}) has thumbprint {thumbprint}, not the pinned {pin}.", thumbprint);
            thumbprints.Add($"{host.Uri}{LibvirtEndpoint.PinPrefix}{thumbprint}{(host.Pin is null ? " (not pinned)" : " (pinned)")}");
        }

        var lines = await OnLibvirtThread(() =>
        {
            using var session = new LibvirtSession(connection);
            var result = new List<string>();
            foreach (var uri in session.HostUris)
            {
                var host = session.Connect(uri);
                var node = host.NodeInfo();
                result.Add($"{uri}: host {host.Hostname()}, {node.Cpus} CPUs ({node.CpuModel}), {node.MemoryBytes / MiB} MiB memory, {host.ListDomains().Count} domains.");
            }

            return result;
        }, ct);

        if (thumbprints.Count > 0) lines.Add($"Certificates (pin each host by writing its line as the endpoint entry): {string.Join(" ", thumbprints)}");
        return new ConnectionTestResult(true, string.Join(" ", lines), first);
    }

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

    public Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread<IReadOnlyList<PrecheckFinding>>(() =>
    {
        var findings = new List<PrecheckFinding>();
        using var session = new LibvirtSession(plan.Connection);
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

    public Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        // A disk backup copy, not a libvirt snapshot: libvirt refuses to migrate a domain that has snapshots.
        using var session = new LibvirtSession(plan.Connection);
        var hostUri = plan.SourceHostId ?? session.HostUris[0];
        var host = session.Connect(hostUri);
        using var domain = host.RequireDomain(plan.VmExternalId);
        var disks = DomainDescription.Parse(domain.Xml()).FileDisks.ToList();
        if (disks.Count == 0) throw new LibvirtException(LibvirtException.OperationInvalid, 0, $"{plan.VmName} has no file disk to back up.", "backup");
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
            throw new LibvirtException(LibvirtException.OperationInvalid, 0, $"The disk backup did not complete: {done.ErrorMessage ?? done.Type.ToString()}.", "backup", host.Host);
        return "disk-backup|" + Uri.EscapeDataString(hostUri) + "|" + string.Join(';', targets.Select(t => Uri.EscapeDataString(t.Path)));
    }, ct);

    public Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct) => OnLibvirtThread(() =>
    {
        var parts = snapshotId.Split('|');
        if (parts.Length != 3 || parts[0] != "disk-backup") throw new LibvirtException(LibvirtException.InvalidArg, 0, $"'{snapshotId}' is not a disk backup of this portal.", "remove backup");
        using var session = new LibvirtSession(plan.Connection);
        var host = session.Connect(Uri.UnescapeDataString(parts[1]));
        var missing = new List<string>();
        foreach (var path in parts[2].Split(';').Select(Uri.UnescapeDataString))
        {
            if (host.DeleteVolume(path)) continue;
            logger.LogWarning("Disk backup {Path} was not found in any pool; nothing to remove.", path);
            missing.Add(path);
        }

        return SnapshotCleanup.Removed(missing.Count == 0 ? "Disk backup removed." : $"Disk backup removed; not found (nothing to remove): {string.Join(", ", missing)}.");
    }, ct);

    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Connection);
        if (plan.Kind == MigrationKind.Storage)
            return "Storage move within one host: the block copy never leaves the host, so there is no network stream to encrypt.";
        var peer = session.PeerUri(plan.Target.HostId!);
        return $"TLS: libvirt migrates with VIR_MIGRATE_TLS, so QEMU's migration stream{(plan.Kind.MovesStorage() ? " and the disk copy (NBD)" : "")} runs over TLS "
            + $"with the hosts' x509 certificates, and the source daemon reaches the destination at {peer}.";
    }, ct);

    public Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct) => plan.Kind == MigrationKind.Storage
        ? OnLibvirtThread(() => StartBlockCopy(plan), ct)
        : OnLibvirtThread(() => StartMigration(plan, ct), ct);

    public async Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct)
    {
        var operation = LibvirtOperation.Parse(operationId);
        var job = jobs.Find(operationId);
        // One session for the whole watch, so a TLS host is not shaken hands with on every poll.
        using var session = new LibvirtSession(plan.Connection);
        var failedPolls = 0;
        // A cancelled token means this process is going away: the job belongs to libvirt and carries on, and the
        // request is reconciled from libvirt's state later (RunMigration never issues it twice). Cancel aborts it.
        while (true)
        {
            if (job is { Completion.IsCompleted: true })
            {
                jobs.Remove(operationId, job);
                return await OutcomeAsync(plan, operation, job, ct);
            }

            (TransferProgress? Progress, TransferOutcome? Outcome) poll;
            try
            {
                poll = await OnLibvirtThread(() => Poll(plan, operation, session), ct);
                failedPolls = 0;
            }
            catch (LibvirtException e) when (job is not null || ++failedPolls < MaxConsecutiveFailedPolls)
            {
                // The domain changes under the poll at switch-over ("domain is not running"): in the process that started
                // the job its own result decides; elsewhere (a reconcile) the next poll sees where the domain settled.
                logger.LogDebug("Progress poll of {Operation} failed: {Reason}", operationId, e.Message);
                poll = (null, null);
            }

            if (poll.Progress is not null) await onProgress(poll.Progress);
            if (poll.Outcome is not null && job is null) return poll.Outcome;
            var tick = Task.Delay(Settings.PollInterval, time, ct);
            // In the process that started it, the job's end wakes the watcher at once instead of at the next poll.
            await (job is null ? tick : Task.WhenAny(tick, job.Completion));
            ct.ThrowIfCancellationRequested();
        }
    }

    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) => OnLibvirtThread(() =>
    {
        var operation = LibvirtOperation.Parse(operationId);
        jobs.Find(operationId)?.RequestCancel();
        using var session = new LibvirtSession(plan.Connection);
        using var domain = session.Connect(operation.SourceUri).FindDomain(operation.DomainUuid);
        if (domain is null) return false;
        if (operation.Kind == LibvirtOperation.Migrate)
        {
            try
            {
                domain.AbortJob();
            }
            catch (LibvirtException e) when (e.Code == LibvirtException.OperationInvalid)
            {
                logger.LogInformation("No migration job to abort on {Domain}: {Reason}", plan.VmName, e.Message);
            }
        }
        else
        {
            foreach (var disk in DomainDescription.Parse(domain.Xml()).FileDisks)
                if (domain.BlockJob(disk.Target) is not null) domain.BlockJobAbort(disk.Target, 0);
        }

        return true;
    }, ct);

    public Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct) => OnLibvirtThread(() =>
    {
        var operation = LibvirtOperation.Parse(operationId);
        if (jobs.Find(operationId) is { Completion.IsCompleted: false }) return new OperationState(OperationStatus.Running, "running in this process");
        using var session = new LibvirtSession(plan.Connection);
        var poll = Poll(plan, operation, session);
        if (poll.Outcome is null) return new OperationState(OperationStatus.Running, poll.Progress?.Phase);
        return poll.Outcome.Result switch
        {
            TransferResult.Succeeded => new OperationState(OperationStatus.Succeeded, poll.Outcome.Message),
            TransferResult.Cancelled => new OperationState(OperationStatus.Cancelled, poll.Outcome.Message),
            _ => new OperationState(OperationStatus.Failed, poll.Outcome.Message),
        };
    }, ct);

    public async Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct)
    {
        var placement = await LocateAsync(plan, ct);
        var problems = new List<string>();
        if (plan.Kind.MovesCompute() && placement.HostId != plan.Target.HostId) problems.Add($"it is on {placement.HostName ?? "no host"}, not {plan.Target.HostName}");
        if (plan.Kind.MovesStorage() && !placement.Datastores.Contains(plan.Target.DatastoreName)) problems.Add($"its disks are in {string.Join(", ", placement.Datastores)}, not {plan.Target.DatastoreName}");
        if (plan.Live && placement.PowerState != PowerState.On) problems.Add($"it is powered {placement.PowerState}");
        if (plan.Kind.MovesCompute() && plan.SourceHostId is { } sourceUri && sourceUri != plan.Target.HostId)
        {
            var leftover = await OnLibvirtThread(() =>
            {
                using var session = new LibvirtSession(plan.Connection);
                using var domain = session.Connect(sourceUri).FindDomain(plan.VmExternalId);
                return domain is not null;
            }, ct);
            if (leftover) problems.Add("it is still defined on the source host");
        }

        var where = $"{plan.VmName} is powered {placement.PowerState} on {placement.HostName}, disks in {string.Join(", ", placement.Datastores)}";
        return problems.Count == 0
            ? new VerificationResult(true, where + (plan.Kind.MovesCompute() ? "; it is no longer defined on the source host." : "."), placement)
            : new VerificationResult(false, $"{where}: {string.Join("; ", problems)}.");
    }

    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Connection);
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

    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Connection);
        if (plan.Kind == MigrationKind.Storage)
        {
            var sourcePool = plan.SourceDatastoreName?.Split(',')[0].Split('@')[0]
                ?? throw new LibvirtException(LibvirtException.InvalidArg, 0, "The request does not record the source pool.", "rollback");
            var back = plan with { Target = plan.Target with { DatastoreId = DatastoreId(plan.SourceHostId!, sourcePool), DatastoreName = sourcePool } };
            var id = StartBlockCopy(back);
            var job = jobs.Find(id)!;
            var message = job.Completion.GetAwaiter().GetResult();
            jobs.Remove(id, job);
            return "Rolled back: " + message;
        }

        // Moves the domain back where it came from, with the same flags (TLS unless the plan turned encryption off).
        var placement = LocateAsync(plan, ct).GetAwaiter().GetResult();
        if (placement.HostId is null) throw new LibvirtException(LibvirtException.NoDomain, 0, $"{plan.VmName} is on none of the connection's hosts.", "rollback");
        if (placement.HostId == plan.SourceHostId) return $"{plan.VmName} is already on {placement.HostName}; nothing to move back.";
        // Back to the source host and, for a move with storage, into the pool the disks came from.
        var sourcePoolName = plan.SourceDatastoreName?.Split(',')[0].Split('@')[0];
        var reverse = plan with
        {
            SourceHostId = placement.HostId,
            Target = plan.Target with
            {
                HostId = plan.SourceHostId, HostName = null,
                DatastoreId = sourcePoolName is null ? plan.Target.DatastoreId : DatastoreId(plan.SourceHostId!, sourcePoolName),
                DatastoreName = plan.SourceDatastoreName,
            },
        };
        var operationId = StartMigration(reverse, ct);
        var running = jobs.Find(operationId)!;
        var result = running.Completion.GetAwaiter().GetResult();
        jobs.Remove(operationId, running);
        return "Rolled back: " + result;
    }, ct);

    // --- migration ---------------------------------------------------------------------------------------------

    private string StartMigration(MigrationPlan plan, CancellationToken ct)
    {
        using var session = new LibvirtSession(plan.Connection);
        var sourceUri = plan.SourceHostId ?? throw new LibvirtException(LibvirtException.InvalidArg, 0, "The request does not record the source host.", "migrate");
        var targetUri = plan.Target.HostId ?? throw new LibvirtException(LibvirtException.InvalidArg, 0, "A compute move needs a target host.", "migrate");
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
            var parameters = new TypedParameters();
            if (Settings.BandwidthMiBps is { } bandwidth) parameters.Add("bandwidth", (ulong)bandwidth);
            if (plan.Kind.MovesStorage())
            {
                flags |= LibvirtDomain.MigrateNonSharedDisk;
                var moves = DiskMoves(session.Connect(targetUri), DomainDescription.Parse(domain.Xml()), plan.Target);
                if (moves.Count > 0)
                {
                    // The target pool lives at another path: libvirt pre-creates and writes the disks where the destination XML says.
                    parameters.Add("destination_xml", DomainDescription.WithDiskPaths(domain.Xml(LibvirtDomain.XmlMigratable), moves));
                    parameters.Add("persistent_xml", DomainDescription.WithDiskPaths(domain.Xml(LibvirtDomain.XmlInactive | LibvirtDomain.XmlMigratable), moves));
                }
            }

            if (Settings.MaxDowntimeMs is { } downtime) domain.SetMaxDowntime(TimeSpan.FromMilliseconds(downtime));
            var operationId = new LibvirtOperation(LibvirtOperation.Migrate, sourceUri, targetUri, plan.VmExternalId).ToString();
            var job = jobs.Add(operationId, new LibvirtRunningJob());
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
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!job.Completion.IsCompleted && time.GetUtcNow() < deadline)
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

    private (TransferProgress? Progress, TransferOutcome? Outcome) Poll(MigrationPlan plan, LibvirtOperation operation, LibvirtSession session)
    {
        var source = session.Connect(operation.SourceUri);
        using var domain = source.FindDomain(operation.DomainUuid);
        if (operation.Kind == LibvirtOperation.BlockCopy)
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
            logger.LogDebug("{Domain} left {Host} while it was being polled: {Reason}", plan.VmName, operation.SourceUri, e.Message);
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
            logger.LogWarning("Could not read the completed job statistics on {Host}: {Reason}", operation.Target, e.Message);
            return null;
        }
    }

    private async Task<TransferOutcome> OutcomeAsync(MigrationPlan plan, LibvirtOperation operation, LibvirtRunningJob job, CancellationToken ct)
    {
        string description;
        try
        {
            description = await job.Completion;
        }
        catch (LibvirtException e) when (e.Code == LibvirtException.OperationAborted || job.CancelRequested)
        {
            // An abort surfaces as OPERATION_ABORTED, or, when it cuts the stream first, as the I/O error it caused
            // ("Cannot write to TLS channel"): either way this job was cancelled on request.
            return new TransferOutcome(TransferResult.Cancelled, $"libvirt: {e.Message}");
        }
        catch (LibvirtException e)
        {
            return new TransferOutcome(TransferResult.Failed, $"libvirt ({e.FaultType}): {e.Message}");
        }

        if (operation.Kind == LibvirtOperation.BlockCopy) return TransferOutcome.Success(description);
        return await OnLibvirtThread(() =>
        {
            using var session = new LibvirtSession(plan.Connection);
            using var there = session.Connect(operation.Target).FindDomain(operation.DomainUuid);
            var stats = there?.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
            var downtime = stats?.DowntimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            var figures = stats is null ? "" : $" {((stats.DataProcessed ?? 0) / (double)MiB):0.#} MiB in {(stats.ElapsedMs ?? 0) / 1000.0:0.0} s"
                + (downtime is null ? "" : $", downtime {downtime.Value.TotalMilliseconds:0} ms") + $" (completed-job statistics on {session.Hostname(operation.Target)}).";
            return TransferOutcome.Success(description + " completed." + figures, downtime);
        }, ct);
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

    // --- storage move within a host ------------------------------------------------------------------------------

    private string StartBlockCopy(MigrationPlan plan)
    {
        using var session = new LibvirtSession(plan.Connection);
        var hostUri = plan.SourceHostId ?? session.HostUris[0];
        var poolName = PoolName(plan.Target);
        var connection = session.ConnectOwned(hostUri);
        try
        {
            var pool = connection.FindPool(poolName, refresh: true) ?? throw new LibvirtException(LibvirtException.NoStoragePool, 0, $"Pool {poolName} is not on {session.Hostname(hostUri)}.", "block copy");
            var targetPath = pool.Path ?? throw new LibvirtException(LibvirtException.OperationInvalid, 0, $"Pool {poolName} has no target path (only directory-like pools can take a block copy).", "block copy");
            var operationId = new LibvirtOperation(LibvirtOperation.BlockCopy, hostUri, poolName, plan.VmExternalId).ToString();
            var job = jobs.Add(operationId, new LibvirtRunningJob());
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
                logger.LogWarning("No transient block copy of {Domain} ({Reason}); undefining it for the copy, definition kept in {File}.", plan.VmName, redefineBecause, keptDefinitionFile);
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

            // The copy is now the disk; the original is removed so a storage move frees its pool, as a move should.
            if (!connection.DeleteVolume(disk.Source!)) logger.LogWarning("{Path} is in no pool; left in place after the copy.", disk.Source);
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
                throw new LibvirtException(LibvirtException.OperationAborted, 0, "operation aborted: block copy cancelled; the disk stays where it was.", "virDomainBlockJobAbort", domain.Host);
            }

            var job = domain.BlockJob(disk) ?? throw new LibvirtException(LibvirtException.OperationAborted, 0, $"The block copy of {disk} ended before the pivot (it was aborted).", "virDomainGetBlockJobInfo", domain.Host);
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

    // --- helpers -----------------------------------------------------------------------------------------------

    private static Dictionary<string, string> DiskMoves(LibvirtConnection target, DomainDescription description, MigrationTarget to)
    {
        var pool = target.FindPool(PoolName(to), refresh: true) ?? throw new LibvirtException(LibvirtException.NoStoragePool, 0, $"Pool {PoolName(to)} is not on the destination.", "migrate", target.Host);
        var moves = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pool.Path is null) return moves;
        foreach (var disk in description.FileDisks.Where(d => Path.GetDirectoryName(d.Source) != pool.Path))
            moves[disk.Source!] = Path.Combine(pool.Path, Path.GetFileName(disk.Source!));
        return moves;
    }

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
                    int result;
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

                    return result == 0
                        ? new(FindingSeverity.Critical, "cpu", $"{hostname} cannot provide the domain's CPU model {description.CpuModel} ({api}: incompatible).")
                        : new(FindingSeverity.Advisory, "cpu", $"{hostname} provides CPU model {description.CpuModel} ({api}: {(result == 1 ? "identical" : "superset")}).");
                }
                catch (LibvirtException e)
                {
                    return new(FindingSeverity.Warning, "cpu", $"libvirt could not compare the CPU model {description.CpuModel} with {hostname}'s: {e.Message}");
                }
        }
    }

    private static string StoreOf(DomainDisk disk, IReadOnlyList<PoolFacts> pools, string hostname)
    {
        if (disk.Type == "network") return disk.Source ?? "network";
        var directory = disk.Source is null ? null : Path.GetDirectoryName(disk.Source);
        var pool = pools.FirstOrDefault(p => p.Path is not null && p.Path == directory);
        return pool is null ? $"{directory ?? "(none)"}@{hostname}" : DatastoreName(pool.Name, hostname);
    }

    internal static string DatastoreId(string hostUri, string pool) => $"{hostUri}#{pool}";

    internal static string DatastoreName(string pool, string hostname) => $"{pool}@{hostname}";

    private static string PoolName(MigrationTarget target) =>
        target.DatastoreId?.Split('#') is [_, var pool] ? pool
        : target.DatastoreName?.Split('@')[0] ?? throw new LibvirtException(LibvirtException.InvalidArg, 0, "The request names no target pool.", "storage");

    private static long CeilingGb(long bytes) => (bytes + GiB - 1) / GiB;

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);

    /// <summary>Runs blocking libvirt work on a dedicated thread; a cancelled caller stops waiting, the call finishes on its own.</summary>
    private static Task<T> OnLibvirtThread<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(() =>
        {
            try
            {
                return work();
            }
            catch (DllNotFoundException e)
            {
                // A portal node without libvirt's client library: say so, instead of failing with a bare loader error.
                throw new ConnectorException("libvirt:NOT_INSTALLED", "libvirt's client library (libvirt.so.0) is not installed on this portal node; install Debian's libvirt0 package.", e);
            }
        }, ct, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).WaitAsync(ct);

}
