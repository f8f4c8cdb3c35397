using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution.Itinerary;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Telemetry;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The background job that carries out one request: it takes only the request ID, reloads, checks the state and acts,
/// so running it twice does no harm. It loops over the steps of the request's itinerary (<see cref="ItineraryCatalog"/>,
/// chosen per source kind, destination kind and migration kind), each an <see cref="IItineraryStep"/> whose status is
/// persisted on its own row, made when it starts. A run that finds the request already under way resumes at the first
/// step that has not succeeded or been skipped, and reconciles a step an earlier run left running. However the move ends
/// (succeeded, failed, cancelled), the clean-up steps run before the request takes its final state.
/// </summary>
public sealed class RunMigration(
    IPortalDb db,
    IPortalDbFactory dbFactory,
    MigrationPlanner planner,
    IConnectorResolver connectors,
    ItineraryCatalog itineraries,
    TimeProvider time,
    IRequestChangeNotifier notifier,
    RunLeases leases,
    IOptions<ExecutionOptions> options,
    Utilisation.StartPostMoveWatch watch,
    ILogger<RunMigration> logger)
{
    private readonly RunJournal _journal = new(db, dbFactory, time, notifier, logger);

    /// <summary>How often the runner looks for a cancel request made on any node (<see cref="TransferStep.PollInterval"/>).</summary>
    public static TimeSpan PollInterval
    {
        get => TransferStep.PollInterval;
        set => TransferStep.PollInterval = value;
    }

    /// <summary>States a run acts on; for any other (NeedsAttention included: an Operator decides), the job ends without taking the lease.</summary>
    private static readonly RequestState[] Runnable = [RequestState.Approved, RequestState.Scheduled, RequestState.Running, RequestState.Verifying, RequestState.RollingBack];

    private Guid _requestId;
    private volatile bool _leaseLost;

    /// <summary>The step at which the move failed: the low-cardinality reason of the failures metric.</summary>
    private string? _failedAt;

    /// <summary>
    /// Runs the request if this run gets its lease (<see cref="RunLeases"/>): a new one, or one whose owner stopped
    /// renewing it. A lease held by a live run means another job already works on the request, so this one ends quietly.
    /// While the run works, the lease is renewed every <see cref="ExecutionOptions.HeartbeatInterval"/>; a run that finds
    /// its lease taken over (it hung, or could not reach the database for longer than the lease lasts) stops at once.
    /// </summary>
    public async Task HandleAsync(Guid requestId, CancellationToken ct = default)
    {
        _requestId = requestId;
        _journal.Begin(requestId);
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

        // One trace per run, its steps as child spans (PortalTelemetry); nothing is recorded unless a listener is on.
        using var span = PortalTelemetry.StartRun(requestId);
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
                await RecordQueueWaitAsync(ct);
                await RunItineraryAsync(resumed: false, ct);
                return;
            case RequestState.Running or RequestState.Verifying:
                await RunItineraryAsync(resumed: true, ct);
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
            await _journal.MutateAsync(r => r.Start(time.GetUtcNow()), ct);
            return true;
        }
        catch (Exception e) when (e is DomainException or ConflictException)
        {
            logger.LogInformation("Request {RequestId} was not started by this run: {Reason}", _requestId, e.Message);
            return false;
        }
    }

    /// <summary>
    /// The loop: each step of the itinerary that applies to the plan, from the first one whose row has not succeeded or
    /// been skipped; then, however the move ended, the clean-up steps; then the request's final state.
    /// </summary>
    private async Task RunItineraryAsync(bool resumed, CancellationToken ct)
    {
        var plan = await RequirePlanAsync(ct);
        using var inFlight = PortalTelemetry.TrackInFlight(plan);
        Activity.Current?.SetTag("migration.kind", plan.Kind.ToString());
        var itinerary = itineraries.For(plan);
        var context = new StepContext(plan, connectors.Resolve(plan.Source.Kind), connectors.Resolve(plan.Destination.Kind), _journal, ct);
        var request = await _journal.ReloadAsync(ct);
        MoveEnding? ending = null;
        string? reason = null;
        var announced = !resumed;

        foreach (var step in itinerary.Steps)
        {
            var row = request.FindStep(step.Name);
            if (row?.Status is StepStatus.Succeeded or StepStatus.Skipped) continue;
            if (row?.Status is StepStatus.Failed)
            {
                // A step failed before an interruption: the ending was decided, only the clean-up was left to do.
                ending = request.CancelRequested && step.Stage <= StepStage.Transfer ? MoveEnding.Cancelled : MoveEnding.Failed;
                reason = $"{step.Name}: {row.Message}";
                _failedAt = step.Name;
                break;
            }

            if (!step.AppliesTo(context.Plan))
            {
                await SkipNotApplyingAsync(step, row, ct);
                continue;
            }

            if (!announced)
            {
                announced = true;
                await _journal.AuditAsync("reconcile", $"Resuming at step {step.Name} after an interruption.", ct);
            }

            // The cancel guard: a cancel asked for before anything moves stops the run here, before the step starts.
            if (step.Stage <= StepStage.Transfer && row?.Status is not StepStatus.Running && request.OperationId is null && request.CancelRequested)
            {
                ending = MoveEnding.Cancelled;
                reason = "Cancelled before the transfer started; nothing moved.";
                break;
            }

            var outcome = await RunStepAsync(step, context, reconcile: row?.Status is StepStatus.Running);
            if (outcome.NeedsAttention)
            {
                // Not ended, not cleaned up: a transfer may be running that the portal cannot see. An Operator checks again.
                await _journal.MutateAsync(r => r.RequireAttention(time.GetUtcNow(), outcome.Message), ct, ("needs-attention", step.Name, outcome.Message));
                return;
            }

            // The request as this save left it: its rows and its cancel flag, as fresh as a reload would give.
            request = await _journal.EndStepAsync(step.Name, outcome.Status, outcome.Message, ct);
            if (outcome.Ends is { } ended)
            {
                ending = ended;
                _failedAt = step.Name;
                reason = outcome.Reason;
                break;
            }

            if (outcome.Reason is not null) reason = outcome.Reason;
        }

        context.Ending = ending ?? MoveEnding.Succeeded;
        await CleanUpAsync(itinerary, context, ct);
        await FinishAsync(context.Ending, reason, context, ct);
        await RecordFinishedAsync(plan, ct);
    }

    /// <summary>
    /// A step that does not apply leaves no row, except where an older release made one Pending at submission: that row
    /// ends Skipped, so a finished request shows no step still waiting.
    /// </summary>
    private async Task SkipNotApplyingAsync(IItineraryStep step, MigrationStep? row, CancellationToken ct)
    {
        if (row is not null) await _journal.EndStepAsync(step.Name, StepStatus.Skipped, "Not part of this move.", ct);
    }

    /// <summary>Runs (or reconciles) one step; a hypervisor fault ends the step Failed with the hypervisor's words.</summary>
    private async Task<StepOutcome> RunStepAsync(IItineraryStep step, StepContext context, bool reconcile)
    {
        using var span = PortalTelemetry.StartStep(step.Name, reconcile);
        StepOutcome outcome;
        try
        {
            if (reconcile) outcome = await step.ReconcileAsync(context);
            else
            {
                await _journal.StartStepAsync(step.Name, context.Cancellation);
                outcome = await step.RunAsync(context);
            }
        }
        catch (ConnectorException e)
        {
            var fault = $"{e.FaultType}: {e.Message}";
            outcome = StepOutcome.Failed(fault, fault);
        }

        PortalTelemetry.EndStep(span, outcome.Status, outcome.Message);
        return outcome;
    }

    /// <summary>
    /// The clean-up steps run on every ending. A clean-up the hypervisor refuses is recorded Failed with its words and the
    /// next one still runs: what is left behind is said on the request, and it does not change how the move ended.
    /// </summary>
    private async Task CleanUpAsync(ChosenItinerary itinerary, StepContext context, CancellationToken ct)
    {
        var request = await _journal.ReloadAsync(ct);
        foreach (var step in itinerary.CleanUpSteps)
        {
            var row = request.FindStep(step.Name);
            if (row?.Status is StepStatus.Succeeded or StepStatus.Skipped or StepStatus.Failed) continue;
            if (!step.AppliesTo(context.Plan))
            {
                await SkipNotApplyingAsync(step, row, ct);
                continue;
            }

            var outcome = await RunStepAsync(step, context, reconcile: row?.Status is StepStatus.Running);
            request = await _journal.EndStepAsync(step.Name, outcome.Status, outcome.Message, ct);
        }
    }

    private async Task FinishAsync(MoveEnding ending, string? reason, StepContext context, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (ending)
        {
            case MoveEnding.Succeeded:
                // A cancel that did not take effect is said in the outcome itself: the request succeeded, but not silently.
                var note = await CancelNoteAsync(context);
                if ((await _journal.ReloadAsync(ct)).State == RequestState.Running) await _journal.MutateAsync(r => r.BeginVerify(now), ct);
                await _journal.MutateAsync(r => r.Succeed(now, (reason ?? "Every step of the itinerary finished.") + note), ct);
                await StartWatchAsync(ct);
                return;
            case MoveEnding.Cancelled:
                await _journal.MutateAsync(r => r.ConfirmCancelled(now, reason ?? "Cancelled."), ct);
                return;
            default:
                await _journal.MutateAsync(r => r.Fail(now, reason ?? "The itinerary failed."), ct);
                return;
        }
    }

    /// <summary>
    /// The verified move starts its post-move watch (a row the dispatcher evaluates when due, on any node). A fault here
    /// must not turn a finished move into a failed run: the move stands, and the request simply has no watch.
    /// </summary>
    private async Task StartWatchAsync(CancellationToken ct)
    {
        try
        {
            await watch.HandleAsync(_requestId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Request {RequestId}: the post-move watch could not be started.", _requestId);
        }
    }

    /// <summary>The finished request's duration, downtime, bytes moved and failure reason, for the metrics.</summary>
    private async Task RecordFinishedAsync(MigrationPlan plan, CancellationToken ct)
    {
        // Without a listener (telemetry off) the run reads nothing more; a failed read must not fail a finished run.
        if (!PortalTelemetry.Finished.Enabled && Activity.Current is null) return;
        try
        {
            var request = await _journal.ReloadAsync(ct);
            var bytes = await db.Progress.AsNoTracking().Where(p => p.RequestId == _requestId).Select(p => p.BytesTransferred).FirstOrDefaultAsync(ct);
            PortalTelemetry.RecordFinished(request, plan.Source.Name, bytes, _failedAt);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Request {RequestId}: its metrics could not be recorded.", _requestId);
        }
    }

    /// <summary>How long the request that just started waited for its turn, for the queue-wait histogram.</summary>
    private async Task RecordQueueWaitAsync(CancellationToken ct)
    {
        if (!PortalTelemetry.QueueWait.Enabled) return;
        try
        {
            var request = await _journal.ReloadAsync(ct);
            var connection = await db.Connections.AsNoTracking().Where(c => c.Id == request.ConnectionId).Select(c => c.Name).FirstOrDefaultAsync(ct);
            PortalTelemetry.RecordQueueWait(request, connection ?? "unknown");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Request {RequestId}: its queue wait could not be recorded.", _requestId);
        }
    }

    /// <summary>" Note: …" when a cancel was asked and did not take effect; empty otherwise.</summary>
    internal static async Task<string> CancelNoteAsync(StepContext context)
    {
        if (context.CancelRefusal is not null) return $" Note: an Operator asked to cancel, but {context.CancelRefusal}; the portal stopped asking.";
        var request = await context.Journal.ReloadAsync(context.Cancellation);
        return request.CancelRequested ? " Note: an Operator asked to cancel, but the transfer finished before the cancel took effect." : "";
    }

    private async Task RollBackAsync(CancellationToken ct)
    {
        var plan = await RequirePlanAsync(ct);
        using var inFlight = PortalTelemetry.TrackInFlight(plan);
        using var span = PortalTelemetry.StartStep(ItinerarySteps.RollBack, reconcile: false);
        // A step row of its own, so the request's itinerary shows the undo beside the move it undid; a rerun after a
        // crash starts the same row again (the connector's roll back is asked again, and is safe to ask twice).
        await _journal.StartStepAsync(ItinerarySteps.RollBack, ct);
        try
        {
            var result = await connectors.Resolve(plan.Source.Kind).RollbackAsync(plan, ct);
            await _journal.EndStepAsync(ItinerarySteps.RollBack, StepStatus.Succeeded, result, ct);
            await _journal.MutateAsync(r => r.CompleteRollback(time.GetUtcNow(), result), ct);
            PortalTelemetry.EndStep(span, StepStatus.Succeeded, result);
        }
        catch (ConnectorException e)
        {
            var fault = $"Rollback failed: {e.FaultType}: {e.Message}";
            await _journal.EndStepAsync(ItinerarySteps.RollBack, StepStatus.Failed, fault, ct);
            await _journal.MutateAsync(r => r.FailRollback(time.GetUtcNow(), fault), ct);
            PortalTelemetry.EndStep(span, StepStatus.Failed, fault);
        }

        if (PortalTelemetry.Finished.Enabled) PortalTelemetry.RecordRollback(await _journal.ReloadAsync(ct), plan.Source.Name);
    }

    private async Task<MigrationPlan> RequirePlanAsync(CancellationToken ct)
    {
        var request = await _journal.ReloadAsync(ct);
        var plan = await planner.PlanAsync(request, ct);
        if (plan is not null) return plan;
        await _journal.MutateAsync(r => r.Fail(time.GetUtcNow(), "The VM is no longer in the inventory."), ct);
        throw new ConnectorException("NotFound", "The VM is no longer in the inventory.");
    }

    private Task AuditAsync(string step, string message, CancellationToken ct) => _journal.AuditAsync(step, message, ct);
}
