using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The background job that carries out one request: it takes only the request ID, reloads, checks the state and acts,
/// so running it twice does no harm. The itinerary is a list of named steps (precheck, snapshot, enforce-encryption,
/// transfer, verify, clean-up), each recorded as it starts and ends. A request found already Running is reconciled:
/// the connector is asked about the operation the portal recorded, and the transfer is never issued a second time.
/// </summary>
public sealed class RunMigration(
    IPortalDb db,
    IPortalDbFactory dbFactory,
    MigrationPlanner planner,
    IConnectorResolver connectors,
    TimeProvider time,
    IRequestChangeNotifier notifier,
    RunLeases leases,
    IOptions<ExecutionOptions> options,
    ILogger<RunMigration> logger)
{
    /// <summary>How often the runner looks for a cancel request made on any node.</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ProgressWriteInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>States a run acts on; for any other, the job ends without taking the lease.</summary>
    private static readonly RequestState[] Runnable = [RequestState.Approved, RequestState.Scheduled, RequestState.Running, RequestState.Verifying, RequestState.RollingBack];

    private Guid _requestId;
    private volatile bool _leaseLost;

    /// <summary>
    /// Runs the request if this run gets its lease (<see cref="RunLeases"/>): a new one, or one whose owner stopped
    /// renewing it. A lease held by a live run means another job already works on the request, so this one ends quietly.
    /// While the run works, the lease is renewed every <see cref="ExecutionOptions.HeartbeatInterval"/>; a run that finds
    /// its lease taken over (it hung, or could not reach the database for longer than the lease lasts) stops at once.
    /// </summary>
    public async Task HandleAsync(Guid requestId, CancellationToken ct = default)
    {
        _requestId = requestId;
        var state = await db.Requests.AsNoTracking().Where(r => r.Id == requestId).Select(r => (RequestState?)r.State).FirstOrDefaultAsync(ct);
        if (state is not { } current || !Runnable.Contains(current))
        {
            logger.LogInformation("Request {RequestId} is {State}; nothing to run.", requestId, state?.ToString() ?? "gone");
            return;
        }

        var claim = await leases.TryAcquireAsync(requestId, ct);
        if (!claim.Acquired)
        {
            logger.LogInformation("Request {RequestId} is held by {Owner}, whose lease is alive; this job leaves it to that run.", requestId, claim.Owner);
            return;
        }

        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopKeeper = new CancellationTokenSource();
        var keeper = KeepLeaseAsync(claim.Token, lost, stopKeeper.Token);
        try
        {
            if (claim.TakenOverFrom is { } previous)
                await AuditAsync("reconcile", $"Taken over by node {claim.Owner}: node {previous} stopped renewing its lease (last heartbeat {claim.StaleHeartbeat:u}).", lost.Token);
            await RunAsync(lost.Token);
        }
        catch (OperationCanceledException) when (_leaseLost && !ct.IsCancellationRequested)
        {
            // Another node holds the request now and continues from what the database says; nothing here is half-saved
            // that it could not reconcile, and the job must not fail (a retry would only find the lease taken).
            logger.LogWarning("Request {RequestId}: this run lost its lease and stopped; the new owner continues.", requestId);
        }
        finally
        {
            await stopKeeper.CancelAsync();
            await keeper;
            // Released on every way out (finished, failed, shut down), so the next run need not wait for the lease to go stale.
            if (!_leaseLost) await ReleaseQuietlyAsync(claim.Token);
        }
    }

    private async Task ReleaseQuietlyAsync(Guid token)
    {
        try
        {
            await leases.ReleaseAsync(_requestId, token, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Not worth hiding the run's own outcome for: an unreleased lease only goes stale and is taken over.
            logger.LogWarning(e, "Request {RequestId}: the lease could not be released; it will go stale.", _requestId);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var request = await db.LoadRequestAsync(_requestId, ct);
        switch (request.State)
        {
            case RequestState.Approved or RequestState.Scheduled:
                if (request.ScheduledFor is { } at && at > time.GetUtcNow()) return; // not due yet; the dispatcher will come back
                if (!await TryStartAsync(ct)) return;
                await RunItineraryAsync(resumeOperation: null, ct);
                return;
            case RequestState.Running:
                await ReconcileRunningAsync(request, ct);
                return;
            case RequestState.Verifying:
                await AuditAsync("reconcile", "Resuming at verification after an interruption.", ct);
                await VerifyAndFinishAsync(await RequirePlanAsync(ct), ct);
                return;
            case RequestState.RollingBack:
                await RollBackAsync(ct);
                return;
            default:
                logger.LogInformation("Request {RequestId} is {State}; nothing to run.", _requestId, request.State);
                return;
        }
    }

    /// <summary>
    /// Renews the lease until the run ends. When the lease is gone (taken over), or renewal kept failing for so long
    /// that another node may already have taken it over, the run is cancelled: two nodes never drive one request.
    /// </summary>
    private async Task KeepLeaseAsync(Guid token, CancellationTokenSource lost, CancellationToken stop)
    {
        var settings = options.Value;
        var renewed = time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.HeartbeatInterval, time, stop);
                if (await leases.RenewAsync(_requestId, token, stop))
                {
                    renewed = time.GetUtcNow();
                    continue;
                }

                logger.LogWarning("Request {RequestId}: the lease was taken over by another run.", _requestId);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (time.GetUtcNow() - renewed < settings.StaleAfter - settings.HeartbeatInterval)
                {
                    logger.LogWarning(e, "Request {RequestId}: renewing the lease failed; trying again.", _requestId);
                    continue;
                }

                logger.LogWarning(e, "Request {RequestId}: the lease could not be renewed before it goes stale; stopping this run.", _requestId);
            }

            _leaseLost = true;
            await lost.CancelAsync();
            return;
        }
    }

    private async Task<bool> TryStartAsync(CancellationToken ct)
    {
        try
        {
            await MutateAsync(r => r.Start(time.GetUtcNow()), ct);
            return true;
        }
        catch (Exception e) when (e is DomainException or ConflictException)
        {
            logger.LogInformation("Request {RequestId} was not started by this run: {Reason}", _requestId, e.Message);
            return false;
        }
    }

    private async Task ReconcileRunningAsync(MigrationRequest request, CancellationToken ct)
    {
        var plan = await RequirePlanAsync(ct);
        var connector = connectors.Resolve(plan.Source.Kind);
        if (request.OperationId is null)
        {
            // The previous run stopped before it started a transfer, so nothing was issued: run the itinerary again.
            await AuditAsync("reconcile", "Interrupted before the transfer started; running the itinerary again.", ct);
            await RunItineraryAsync(resumeOperation: null, ct);
            return;
        }

        var state = await connector.GetOperationStateAsync(plan, request.OperationId, ct);
        await AuditAsync("reconcile", $"Interrupted during the transfer; the hypervisor reports operation {request.OperationId} as {state.Status}.", ct);
        switch (state.Status)
        {
            case OperationStatus.Running:
                await RunItineraryAsync(resumeOperation: request.OperationId, ct);
                return;
            case OperationStatus.Succeeded:
                await EndStepAsync("transfer", StepStatus.Succeeded, "Completed while the portal was interrupted.", ct);
                await MutateAsync(r => r.BeginVerify(time.GetUtcNow()), ct);
                await VerifyAndFinishAsync(plan, ct);
                return;
            default:
                var location = await connector.LocateAsync(plan, ct);
                if (IsAtTarget(plan, location))
                {
                    await EndStepAsync("transfer", StepStatus.Succeeded, "The VM reached its target while the portal was interrupted.", ct);
                    await MutateAsync(r => r.BeginVerify(time.GetUtcNow()), ct);
                    await VerifyAndFinishAsync(plan, ct);
                    return;
                }

                var reason = $"The transfer was interrupted ({state.Status}{(state.Message is null ? "" : ": " + state.Message)}). The VM is still on {location.HostName ?? "its source"}.";
                await EndStepAsync("transfer", StepStatus.Failed, reason, ct);
                if (request.CancelRequested) await MutateAsync(r => r.ConfirmCancelled(time.GetUtcNow(), "Cancelled; " + reason), ct);
                else await MutateAsync(r => r.Fail(time.GetUtcNow(), reason), ct);
                return;
        }
    }

    private async Task RunItineraryAsync(string? resumeOperation, CancellationToken ct)
    {
        var plan = await RequirePlanAsync(ct);
        var connector = connectors.Resolve(plan.Source.Kind);
        try
        {
            if (resumeOperation is null)
            {
                if (!await PrecheckAsync(connector, plan, ct)) return;
                plan = await SnapshotAsync(connector, plan, ct);
                await EnforceEncryptionAsync(connector, plan, ct);
                if (await StopIfCancelRequestedAsync(connector, plan, ct)) return;
                await StartStepAsync("transfer", ct);
                var operationId = await connector.StartTransferAsync(plan, ct);
                // Recorded before watching, so a node that dies from here on leaves enough to reconcile without re-issuing;
                // the ID and its audit event commit in one transaction, so neither is ever found without the other.
                await MutateAsync(r => r.RecordOperation(operationId), ct, ("note", "transfer", $"Transfer started as hypervisor operation {operationId}."));
                resumeOperation = operationId;
            }

            var outcome = await WatchAsync(connector, plan, resumeOperation, ct);
            switch (outcome.Result)
            {
                case TransferResult.Succeeded:
                    if (outcome.Downtime is { } downtime)
                        await MutateAsync(r => r.RecordDowntime(downtime), ct, ("note", "transfer", $"The hypervisor reports a downtime of {downtime.TotalMilliseconds:0} ms at switch-over."));
                    await EndStepAsync("transfer", StepStatus.Succeeded, outcome.Message + (_cancelRefusal is null ? "" : $" Note: {_cancelRefusal}."), ct);
                    await MutateAsync(r => r.BeginVerify(time.GetUtcNow()), ct);
                    await VerifyAndFinishAsync(plan, ct);
                    break;
                case TransferResult.Cancelled:
                    await EndStepAsync("transfer", StepStatus.Failed, "Cancelled: " + outcome.Message, ct);
                    await CleanUpSnapshotAsync(connector, plan, ct);
                    await MutateAsync(r => r.ConfirmCancelled(time.GetUtcNow(), $"Cancelled during the transfer; the VM stays at its source. {outcome.Message}"), ct);
                    break;
                default:
                    await EndStepAsync("transfer", StepStatus.Failed, outcome.Message, ct);
                    var note = await CancelNoteAsync(ct);
                    await MutateAsync(r => r.Fail(time.GetUtcNow(), $"The transfer failed: {outcome.Message}{note}"), ct);
                    break;
            }
        }
        catch (ConnectorException e)
        {
            await FailAsync($"{e.FaultType}: {e.Message}", ct);
        }
    }

    private async Task<bool> PrecheckAsync(IHypervisorConnector connector, MigrationPlan plan, CancellationToken ct)
    {
        await StartStepAsync("precheck", ct);
        var findings = new List<PrecheckFinding>(await connector.PrecheckAsync(plan, ct));
        if (!plan.Options.RequireEncryption && !plan.Source.AllowUnencryptedMigration)
            findings.Add(new PrecheckFinding(FindingSeverity.Critical, "encryption-policy",
                $"Unencrypted migration is not allowed on connection '{plan.Source.Name}': no administrator policy permits it."));
        var inFlight = RequestTransitions.InFlight.ToArray();
        var active = await db.Requests.AnyAsync(r => r.VmId == db.Requests.Where(x => x.Id == plan.RequestId).Select(x => x.VmId).First()
            && r.Id != plan.RequestId && inFlight.Contains(r.State), ct);
        if (active) findings.Add(new PrecheckFinding(FindingSeverity.Critical, "vm-busy", "Another migration of this VM is in progress."));

        var critical = findings.Where(f => f.Severity == FindingSeverity.Critical).ToList();
        var summary = findings.Count == 0 ? "No findings." : string.Join(" ", findings.Select(f => $"[{f.Severity}] {f.Message}"));
        if (critical.Count > 0)
        {
            await EndStepAsync("precheck", StepStatus.Failed, summary, ct);
            await MutateAsync(r => r.Fail(time.GetUtcNow(), "Precheck blocked the migration: " + string.Join(" ", critical.Select(c => c.Message))), ct);
            return false;
        }

        await EndStepAsync("precheck", StepStatus.Succeeded, summary, ct);
        return true;
    }

    private async Task<MigrationPlan> SnapshotAsync(IHypervisorConnector connector, MigrationPlan plan, CancellationToken ct)
    {
        if (!plan.Options.TakeSnapshot)
        {
            await EndStepAsync("snapshot", StepStatus.Skipped, "The request did not ask for a snapshot.", ct);
            return plan;
        }

        await StartStepAsync("snapshot", ct);
        var snapshotId = await connector.CreateSnapshotAsync(plan, ct);
        await MutateAsync(r => r.RecordSnapshot(snapshotId), ct);
        await EndStepAsync("snapshot", StepStatus.Succeeded, $"Snapshot {snapshotId} taken.", ct);
        return plan with { SnapshotId = snapshotId };
    }

    private async Task EnforceEncryptionAsync(IHypervisorConnector connector, MigrationPlan plan, CancellationToken ct)
    {
        await StartStepAsync("enforce-encryption", ct);
        string description;
        if (plan.Options.RequireEncryption)
        {
            description = await connector.EnforceEncryptionAsync(plan, ct);
        }
        else
        {
            description = $"Not encrypted: the requester turned encryption off and connection '{plan.Source.Name}' has an administrator policy allowing it.";
        }

        await MutateAsync(r => r.RecordEncryption(description), ct);
        await EndStepAsync("enforce-encryption", plan.Options.RequireEncryption ? StepStatus.Succeeded : StepStatus.Skipped, description, ct);
    }

    private async Task<TransferOutcome> WatchAsync(IHypervisorConnector connector, MigrationPlan plan, string operationId, CancellationToken ct)
    {
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lastWrite = DateTimeOffset.MinValue;
        var maxAttempts = options.Value.CancelAttempts;
        var cancelAttempts = 0;
        var cancelAccepted = false;

        // A second loop, on its own DbContext, notices a cancel request made on any node (the lease keeper proves liveness).
        // A cancel the hypervisor refuses (vCenter refuses one in some phases of a vMotion) is asked again, one poll later,
        // up to ExecutionOptions.CancelAttempts times; each refusal is audited with the hypervisor's reason, and the last one
        // is kept for the request's outcome, so the request never ends as if nobody had asked.
        var guardLoop = Task.Run(async () =>
        {
            while (!watchCts.Token.IsCancellationRequested && !cancelAccepted && cancelAttempts < maxAttempts)
            {
                try
                {
                    await Task.Delay(PollInterval, time, watchCts.Token);
                    await using var probe = await dbFactory.CreateAsync(watchCts.Token);
                    var cancelRequested = await probe.Requests.Where(r => r.Id == plan.RequestId).Select(r => r.CancelRequested).FirstAsync(watchCts.Token);
                    if (!cancelRequested) continue;
                    cancelAttempts++;
                    try
                    {
                        await connector.CancelTransferAsync(plan, operationId, watchCts.Token);
                        cancelAccepted = true;
                    }
                    catch (ConnectorException e) when (!watchCts.IsCancellationRequested)
                    {
                        await RecordCancelRefusalAsync(plan, cancelAttempts, maxAttempts, e, watchCts.Token);
                    }
                }
                catch (OperationCanceledException) when (watchCts.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "The cancel check for request {RequestId} failed; trying again.", plan.RequestId);
                }
            }
        }, CancellationToken.None);

        try
        {
            return await connector.WatchTransferAsync(plan, operationId, async p =>
            {
                var now = time.GetUtcNow();
                if (now - lastWrite < ProgressWriteInterval && p.Percent < 100) return;
                lastWrite = now;
                await WriteProgressAsync(p, ct);
            }, ct);
        }
        finally
        {
            await watchCts.CancelAsync();
            await guardLoop;
        }
    }

    /// <summary>The last refusal of this run's cancel, once the portal has stopped asking ("cancel refused by … : …").</summary>
    private string? _cancelRefusal;

    private async Task RecordCancelRefusalAsync(MigrationPlan plan, int attempt, int maxAttempts, ConnectorException e, CancellationToken ct)
    {
        var refusedBy = HypervisorName(plan.Source);
        var reason = $"{e.FaultType}: {e.Message}";
        var final = attempt >= maxAttempts;
        var message = final
            ? $"Cancel refused by {refusedBy}: {reason} (asked {attempt} times; the portal stopped asking and the transfer goes on)."
            : $"Cancel attempt {attempt} of {maxAttempts} refused by {refusedBy}: {reason}; asking again.";
        if (final) _cancelRefusal = $"cancel refused by {refusedBy}: {reason}";
        logger.LogWarning("Request {RequestId}: {Message}", plan.RequestId, message);
        // Its own unit of work: the runner's context belongs to the main flow, which is watching the transfer meanwhile.
        await using var own = await dbFactory.CreateAsync(ct);
        var request = await own.Requests.AsNoTracking().FirstAsync(r => r.Id == plan.RequestId, ct);
        AuditLog.ForRequest(own, time.GetUtcNow(), Actor.System, final ? AuditActions.RequestCancelRefused : AuditActions.JobStep, request,
            new { step = "transfer", status = final ? "cancel-refused" : "cancel-retry", message, refusedBy, reason, attempt, maxAttempts });
        await own.SaveChangesAsync(ct);
        notifier.RequestChanged(plan.RequestId);
    }

    /// <summary>The name an Operator knows the hypervisor by: the connection's name, and the endpoint's host when it has one.</summary>
    private static string HypervisorName(ConnectionInfo connection)
    {
        var first = connection.Endpoint.Split([' ', ',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) && uri.Host != connection.Name
            ? $"{connection.Name} ({uri.Host})"
            : connection.Name;
    }

    private async Task VerifyAndFinishAsync(MigrationPlan plan, CancellationToken ct)
    {
        var connector = connectors.Resolve(plan.Source.Kind);
        try
        {
            await StartStepAsync("verify", ct);
            var verification = await connector.VerifyAsync(plan, ct);
            if (!verification.IsAtTarget)
            {
                await EndStepAsync("verify", StepStatus.Failed, verification.Details, ct);
                await MutateAsync(r => r.Fail(time.GetUtcNow(), "Verification failed: " + verification.Details), ct);
                return;
            }

            await EndStepAsync("verify", StepStatus.Succeeded, verification.Details, ct);
            await RecordNewPlacementAsync(connector, plan, verification, ct);
            await CleanUpSnapshotAsync(connector, plan with { SnapshotId = (await db.LoadRequestAsync(plan.RequestId, ct)).SnapshotId }, ct);
            await WriteProgressAsync(new TransferProgress("done", 100, null, null, TimeSpan.Zero), ct);
            // A cancel that did not take effect is said in the outcome itself: the request succeeded, but not silently.
            var note = await CancelNoteAsync(ct);
            await MutateAsync(r => r.Succeed(time.GetUtcNow(), $"The VM runs at its target: {verification.Details}{note}"), ct);
        }
        catch (ConnectorException e)
        {
            await FailAsync($"{e.FaultType}: {e.Message}", ct);
        }
    }

    /// <summary>
    /// The VM's inventory row takes the placement the hypervisor reports at verification (host, cluster, datastores,
    /// power and migration encryption), so its page and the request wizard are right at once rather than after the next
    /// sync. A fault here does not undo a finished move: the row is left for the next sync, and the run goes on.
    /// </summary>
    private async Task RecordNewPlacementAsync(IHypervisorConnector connector, MigrationPlan plan, VerificationResult verification, CancellationToken ct)
    {
        try
        {
            var placement = verification.Placement ?? await connector.LocateAsync(plan, ct);
            var vmId = (await ReloadAsync(ct)).VmId;
            var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);
            if (vm is null) return;
            if (placement.HostId is { } hostId)
            {
                var host = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == vm.ConnectionId && h.ExternalId == hostId).Select(h => new { h.Name, h.ClusterName }).FirstOrDefaultAsync(ct);
                vm.HostExternalId = hostId;
                vm.HostName = placement.HostName ?? host?.Name ?? vm.HostName;
                vm.ClusterName = host?.ClusterName ?? vm.ClusterName;
            }

            if (placement.Datastores.Count > 0) vm.Datastores = string.Join(',', placement.Datastores);
            if (placement.MigrateEncryption is { } encryption) vm.MigrateEncryption = encryption;
            if (placement.PowerState != PowerState.Unknown) vm.PowerState = placement.PowerState;
            vm.SyncedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Request {RequestId}: the moved VM's new placement could not be read; its inventory row waits for the next sync.", _requestId);
            db.DiscardChanges();
        }
    }

    /// <summary>" Note: …" when a cancel was asked and did not take effect; empty otherwise.</summary>
    private async Task<string> CancelNoteAsync(CancellationToken ct)
    {
        if (_cancelRefusal is not null) return $" Note: an Operator asked to cancel, but {_cancelRefusal}; the portal stopped asking.";
        var request = await ReloadAsync(ct);
        return request.CancelRequested ? " Note: an Operator asked to cancel, but the transfer finished before the cancel took effect." : "";
    }

    private async Task CleanUpSnapshotAsync(IHypervisorConnector connector, MigrationPlan plan, CancellationToken ct)
    {
        await StartStepAsync("clean-up", ct);
        if (plan.SnapshotId is null)
        {
            await EndStepAsync("clean-up", StepStatus.Skipped, "No snapshot to remove.", ct);
            return;
        }

        // The connector says what it did: a snapshot kept by a retention setting must not be reported as removed.
        var cleanup = await connector.RemoveSnapshotAsync(plan, plan.SnapshotId, ct);
        await EndStepAsync("clean-up", cleanup.Kept ? StepStatus.Skipped : StepStatus.Succeeded, cleanup.Description, ct);
    }

    private async Task<bool> StopIfCancelRequestedAsync(IHypervisorConnector connector, MigrationPlan plan, CancellationToken ct)
    {
        var request = await ReloadAsync(ct);
        if (!request.CancelRequested) return false;
        await CleanUpSnapshotAsync(connector, plan, ct);
        await MutateAsync(r => r.ConfirmCancelled(time.GetUtcNow(), "Cancelled before the transfer started; nothing moved."), ct);
        return true;
    }

    private async Task RollBackAsync(CancellationToken ct)
    {
        var plan = await RequirePlanAsync(ct);
        try
        {
            var result = await connectors.Resolve(plan.Source.Kind).RollbackAsync(plan, ct);
            await MutateAsync(r => r.CompleteRollback(time.GetUtcNow(), result), ct);
        }
        catch (ConnectorException e)
        {
            await MutateAsync(r => r.FailRollback(time.GetUtcNow(), $"Rollback failed: {e.FaultType}: {e.Message}"), ct);
        }
    }

    private async Task FailAsync(string reason, CancellationToken ct)
    {
        var request = await ReloadAsync(ct);
        var running = request.Steps.FirstOrDefault(s => s.Status == StepStatus.Running);
        if (running is not null) await EndStepAsync(running.Name, StepStatus.Failed, reason, ct);
        await MutateAsync(r => r.Fail(time.GetUtcNow(), reason), ct);
    }

    private static bool IsAtTarget(MigrationPlan plan, VmPlacement location) =>
        (!plan.Kind.MovesCompute() || location.HostId == plan.Target.HostId)
        && (!plan.Kind.MovesStorage() || location.Datastores.Contains(plan.Target.DatastoreName));

    private async Task<MigrationPlan> RequirePlanAsync(CancellationToken ct)
    {
        var request = await ReloadAsync(ct);
        var plan = await planner.PlanAsync(request, ct);
        if (plan is not null) return plan;
        await MutateAsync(r => r.Fail(time.GetUtcNow(), "The VM is no longer in the inventory."), ct);
        throw new ConnectorException("NotFound", "The VM is no longer in the inventory.");
    }

    private Task StartStepAsync(string step, CancellationToken ct) => MutateAsync(r => r.StartStep(step, time.GetUtcNow()), ct, ("started", step, null));

    private Task EndStepAsync(string step, StepStatus status, string? message, CancellationToken ct) =>
        MutateAsync(r => r.EndStep(step, status, time.GetUtcNow(), message), ct, (status.ToString().ToLowerInvariant(), step, message));

    private Task AuditAsync(string step, string message, CancellationToken ct) => MutateAsync(_ => { }, ct, ("note", step, message));

    private async Task<MigrationRequest> ReloadAsync(CancellationToken ct)
    {
        db.DiscardChanges();
        return await db.LoadRequestAsync(_requestId, ct);
    }

    /// <summary>
    /// Applies one change to a freshly loaded request and saves it with its audit records. A person may change the
    /// request at the same time (a cancel request), so a lost concurrency race reloads and applies the change again.
    /// </summary>
    private async Task MutateAsync(Action<MigrationRequest> change, CancellationToken ct, (string Status, string Step, string? Message)? stepEvent = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var request = await ReloadAsync(ct);
            var before = request.Transitions.Count;
            change(request);
            if (stepEvent is { } s)
                AuditLog.ForRequest(db, time.GetUtcNow(), Actor.System, AuditActions.JobStep, request, new { step = s.Step, status = s.Status, message = s.Message });
            AuditLog.TransitionsSince(db, request, before);
            try
            {
                await db.SaveChangesAsync(ct);
                notifier.RequestChanged(_requestId);
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                logger.LogInformation("Request {RequestId} changed while the job saved; reloading (attempt {Attempt}).", _requestId, attempt);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ConflictException("The request kept changing while the job tried to save.");
            }
        }
    }

    private async Task WriteProgressAsync(TransferProgress p, CancellationToken ct)
    {
        try
        {
            await TryWriteProgressAsync(p, ct);
        }
        catch (DbUpdateException)
        {
            // The heartbeat loop inserted the progress row between our read and our insert; the row exists now, so update it.
            await TryWriteProgressAsync(p, ct);
        }
    }

    private async Task TryWriteProgressAsync(TransferProgress p, CancellationToken ct)
    {
        await using var progressDb = await dbFactory.CreateAsync(ct);
        var row = await progressDb.Progress.FirstOrDefaultAsync(x => x.RequestId == _requestId, ct);
        if (row is null) progressDb.Progress.Add(row = new MigrationProgress { RequestId = _requestId });
        var now = time.GetUtcNow();
        row.Phase = p.Phase;
        row.Percent = Math.Clamp(p.Percent, 0, 100);
        row.BytesTransferred = p.BytesTransferred;
        row.BytesTotal = p.BytesTotal;
        row.EtaSeconds = p.Eta is { } eta ? (int)Math.Ceiling(eta.TotalSeconds) : null;
        row.UpdatedAt = now;
        row.HeartbeatAt = now;
        await progressDb.SaveChangesAsync(ct);
        notifier.RequestChanged(_requestId);
    }
}
