using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// KVM through libvirt's C API. A portal connection lists one libvirt URI per host; hosts are those URIs, VMs are
/// domains (identified by UUID, which survives a migration), datastores are storage pools ("pool@host").
/// A compute move is a peer-to-peer live migration (virDomainMigrateToURI3) encrypted with TLS unless the plan turned
/// encryption off; a storage move within a host is a block copy to the target pool followed by a pivot.
/// Every libvirt call runs on a dedicated thread: they block on the network, a migration for its whole length.
/// This file is the <see cref="IHypervisorConnector"/> facade (connection test, transfer watch, cancel, verify, rollback);
/// each concern behind it is a part of its own: Inventory, Prechecks, DiskBackup, LiveMigration, BlockCopy, FindOperation
/// (reconciling from a recorded intent) and Leftovers (disk files a storage move leaves behind).
/// </summary>
public sealed partial class LibvirtConnector(LibvirtJobRegistry jobs, IOptions<LibvirtOptions> options, TimeProvider time, ILogger<LibvirtConnector> logger) : IHypervisorConnector
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>Polls in a row that may fail while a domain switches hosts before the failure is the watch's result.</summary>
    private const int MaxConsecutiveFailedPolls = 3;

    private LibvirtOptions Settings => options.Value;

    public string Kind => ConnectionKinds.Libvirt;

    // Primary-constructor parameters are in scope only in this part of the partial class; the other parts use these fields.
    private readonly LibvirtJobRegistry _jobs = jobs;
    private readonly TimeProvider _time = time;
    private readonly ILogger<LibvirtConnector> _logger = logger;

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

    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Source);
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
        var job = _jobs.Find(operationId);
        // One session for the whole watch, so a TLS host is not shaken hands with on every poll.
        using var session = new LibvirtSession(plan.Source);
        var failedPolls = 0;
        // A cancelled token means this process is going away: the job belongs to libvirt and carries on, and the
        // request is reconciled from libvirt's state later (RunMigration never issues it twice). Cancel aborts it.
        while (true)
        {
            if (job is { Completion.IsCompleted: true })
            {
                _jobs.Remove(operationId, job);
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
                _logger.LogDebug("Progress poll of {Operation} failed: {Reason}", operationId, e.Message);
                poll = (null, null);
            }

            if (poll.Progress is not null) await onProgress(poll.Progress);
            if (poll.Outcome is not null && job is null) return poll.Outcome;
            var tick = Task.Delay(Settings.PollInterval, _time, ct);
            // In the process that started it, the job's end wakes the watcher at once instead of at the next poll.
            await (job is null ? tick : Task.WhenAny(tick, job.Completion));
            ct.ThrowIfCancellationRequested();
        }
    }

    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) => OnLibvirtThread(() =>
    {
        var operation = LibvirtOperation.Parse(operationId);
        _jobs.Find(operationId)?.RequestCancel();
        using var session = new LibvirtSession(plan.Source);
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
                _logger.LogInformation("No migration job to abort on {Domain}: {Reason}", plan.VmName, e.Message);
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
        if (_jobs.Find(operationId) is { Completion.IsCompleted: false }) return new OperationState(OperationStatus.Running, "running in this process");
        using var session = new LibvirtSession(plan.Source);
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
                using var session = new LibvirtSession(plan.Source);
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

    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Source);
        if (plan.Kind == MigrationKind.Storage)
        {
            var sourcePool = plan.SourceDatastoreName?.Split(',')[0].Split('@')[0]
                ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "The request does not record the source pool.", "rollback");
            var back = plan with { Target = plan.Target with { DatastoreId = DatastoreId(plan.SourceHostId!, sourcePool), DatastoreName = sourcePool } };
            var id = StartBlockCopy(back);
            var job = _jobs.Find(id)!;
            var message = job.Completion.GetAwaiter().GetResult();
            _jobs.Remove(id, job);
            return "Rolled back: " + message;
        }

        // Moves the domain back where it came from, with the same flags (TLS unless the plan turned encryption off).
        var placement = LocateAsync(plan, ct).GetAwaiter().GetResult();
        if (placement.HostId is null) throw new LibvirtException(LibvirtException.NoDomain, LibvirtException.FromNone, $"{plan.VmName} is on none of the connection's hosts.", "rollback");
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
        var running = _jobs.Find(operationId)!;
        var result = running.Completion.GetAwaiter().GetResult();
        _jobs.Remove(operationId, running);
        return "Rolled back: " + result;
    }, ct);

    private (TransferProgress? Progress, TransferOutcome? Outcome) Poll(MigrationPlan plan, LibvirtOperation operation, LibvirtSession session)
    {
        var source = session.Connect(operation.SourceUri);
        using var domain = source.FindDomain(operation.DomainUuid);
        return operation.Kind == LibvirtOperation.BlockCopy
            ? PollBlockCopy(plan, operation, session, source, domain)
            : PollMigration(plan, operation, session, domain);
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
            using var session = new LibvirtSession(plan.Source);
            using var there = session.Connect(operation.Target).FindDomain(operation.DomainUuid);
            var stats = there?.GetJobStats(LibvirtDomain.JobStatsCompleted | LibvirtDomain.JobStatsKeepCompleted);
            var downtime = stats?.DowntimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            var figures = stats is null ? "" : $" {((stats.DataProcessed ?? 0) / (double)MiB):0.#} MiB in {(stats.ElapsedMs ?? 0) / 1000.0:0.0} s"
                + (downtime is null ? "" : $", downtime {downtime.Value.TotalMilliseconds:0} ms") + $" (completed-job statistics on {session.Hostname(operation.Target)}).";
            return TransferOutcome.Success(description + " completed." + figures, downtime);
        }, ct);
    }

    internal static string DatastoreId(string hostUri, string pool) => $"{hostUri}#{pool}";

    internal static string DatastoreName(string pool, string hostname) => $"{pool}@{hostname}";

    private static string PoolName(MigrationTarget target) =>
        target.DatastoreId?.Split('#') is [_, var pool] ? pool
        : target.DatastoreName?.Split('@')[0] ?? throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, "The request names no target pool.", "storage");

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);

    /// <summary>Runs blocking libvirt work on a dedicated thread; a cancelled caller stops waiting, the call finishes on its own.</summary>
    private static async Task<T> OnLibvirtThread<T>(Func<T> work, CancellationToken ct, [CallerMemberName] string operation = "")
    {
        // A span per call (LibvirtTelemetry), open until the libvirt thread is done or the caller stops waiting.
        using var span = LibvirtTelemetry.Source.StartActivity($"libvirt {operation}", ActivityKind.Client);
        span?.SetTag("libvirt.operation", operation);
        try
        {
            return await Task.Factory.StartNew(() =>
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
        catch (Exception e) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, e.Message);
            span.SetTag("error.type", e is ConnectorException c ? c.FaultType : e.GetType().Name);
            throw;
        }
    }
}
