using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// The transfer, started exactly once. Before the start call the intent is saved with its time; after it, the operation
/// ID, each in its own commit with its audit event. A run that finds the step running reconciles instead of starting:
/// with an operation ID it asks the hypervisor for that operation's state; with only the intent it asks whether a transfer
/// of this VM started since (<see cref="ISourceOperations.FindOperationAsync"/>), adopts it if so, starts one if the
/// hypervisor is sure none did, and otherwise stops and hands the request to an Operator (NeedsAttention).
/// </summary>
public sealed class TransferStep(IOptions<ExecutionOptions> options) : IItineraryStep
{
    /// <summary>How often the runner looks for a cancel request made on any node.</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ProgressWriteInterval = TimeSpan.FromMilliseconds(500);

    public string Name => ItinerarySteps.Transfer;

    public StepStage Stage => StepStage.Transfer;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var request = await context.Journal.ReloadAsync(context.Cancellation);
        // A row made Pending by an older release, or a retry of a job whose step row was never marked: what the request
        // records decides, not the row.
        if (request.OperationId is not null || request.TransferIntentAt is not null) return await ReconcileAsync(context);
        return await StartAsync(context, "Starting the transfer.");
    }

    public async Task<StepOutcome> ReconcileAsync(StepContext context)
    {
        var journal = context.Journal;
        var ct = context.Cancellation;
        var plan = context.Plan;
        var request = await journal.ReloadAsync(ct);
        if (request.OperationId is { } operationId) return await ReconcileOperationAsync(context, operationId, request.CancelRequested);

        if (request.TransferIntentAt is not { } intentAt)
        {
            // Interrupted before the intent was saved, so the start call was never made: starting now is the first start.
            await journal.AuditAsync("reconcile", "Interrupted before the transfer started; starting it now.", ct);
            return await StartAsync(context, "Starting the transfer.");
        }

        var lookup = await context.Connector.FindOperationAsync(plan, intentAt, ct);
        switch (lookup.Result)
        {
            case OperationLookupResult.Found when lookup.OperationId is { } found:
                await journal.MutateAsync(r => r.RecordOperation(found), ct,
                    ("note", Name, $"Adopted hypervisor operation {found}: the start call of {intentAt:u} reached the hypervisor but its reply was not recorded. {lookup.Message}"));
                return await WatchToEndAsync(context, found);
            case OperationLookupResult.NotFound:
                return await StartAsync(context,
                    $"No transfer of this request reached the hypervisor after the intent of {intentAt:u} ({lookup.Message}); starting it now, which is not a second start.");
            default:
                return StepOutcome.Attention(
                    $"The portal cannot tell whether the transfer it began to start at {intentAt:u} reached the hypervisor: {lookup.Message} " +
                    "It will not start a second one. Check the hypervisor's tasks for this VM, then choose Check again.");
        }
    }

    private async Task<StepOutcome> StartAsync(StepContext context, string intentNote)
    {
        var journal = context.Journal;
        var ct = context.Cancellation;
        // The intent commits before the call: a node that dies, or a save that fails, after the hypervisor accepted the
        // call leaves this behind, and the next run asks the hypervisor instead of starting again.
        await journal.MutateAsync(r => r.RecordTransferIntent(journal.Now), ct, ("note", Name, intentNote));
        var operationId = await context.Connector.StartTransferAsync(context.Plan, ct);
        // Recorded before watching, so a node that dies from here on leaves enough to reconcile without re-issuing;
        // the ID and its audit event commit in one transaction, so neither is ever found without the other.
        await journal.MutateAsync(r => r.RecordOperation(operationId), ct, ("note", Name, $"Transfer started as hypervisor operation {operationId}."));
        return await WatchToEndAsync(context, operationId);
    }

    /// <summary>The step was running with a recorded operation: the hypervisor says what became of it, and it is never issued twice.</summary>
    private async Task<StepOutcome> ReconcileOperationAsync(StepContext context, string operationId, bool cancelRequested)
    {
        var plan = context.Plan;
        var ct = context.Cancellation;
        var state = await context.Connector.GetOperationStateAsync(plan, operationId, ct);
        await context.Journal.AuditAsync("reconcile", $"Interrupted during the transfer; the hypervisor reports operation {operationId} as {state.Status}.", ct);
        switch (state.Status)
        {
            case OperationStatus.Running:
                return await WatchToEndAsync(context, operationId);
            case OperationStatus.Succeeded:
                return StepOutcome.Succeeded("Completed while the portal was interrupted.");
            default:
                var location = await context.Connector.LocateAsync(plan, ct);
                if (IsAtTarget(plan, location)) return StepOutcome.Succeeded("The VM reached its target while the portal was interrupted.");
                var reason = $"The transfer was interrupted ({state.Status}{(state.Message is null ? "" : ": " + state.Message)}). The VM is still on {location.HostName ?? "its source"}.";
                return cancelRequested ? StepOutcome.Cancelled(reason, "Cancelled; " + reason) : StepOutcome.Failed(reason, reason);
        }
    }

    private async Task<StepOutcome> WatchToEndAsync(StepContext context, string operationId)
    {
        var outcome = await WatchAsync(context, operationId);
        var journal = context.Journal;
        switch (outcome.Result)
        {
            case TransferResult.Succeeded:
                if (outcome.Downtime is { } downtime)
                    await journal.MutateAsync(r => r.RecordDowntime(downtime), context.Cancellation, ("note", Name, $"The hypervisor reports a downtime of {downtime.TotalMilliseconds:0} ms at switch-over."));
                return StepOutcome.Succeeded(outcome.Message + (context.CancelRefusal is null ? "" : $" Note: {context.CancelRefusal}."));
            case TransferResult.Cancelled:
                return StepOutcome.Cancelled("Cancelled: " + outcome.Message, $"Cancelled during the transfer; the VM stays at its source. {outcome.Message}");
            default:
                return StepOutcome.Failed(outcome.Message, $"The transfer failed: {outcome.Message}{await RunMigration.CancelNoteAsync(context)}");
        }
    }

    private async Task<TransferOutcome> WatchAsync(StepContext context, string operationId)
    {
        var plan = context.Plan;
        var connector = context.Connector;
        var journal = context.Journal;
        var ct = context.Cancellation;
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
                    await Task.Delay(PollInterval, journal.Time, watchCts.Token);
                    await using var probe = await journal.DbFactory.CreateAsync(watchCts.Token);
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
                        await RecordCancelRefusalAsync(context, cancelAttempts, maxAttempts, e, watchCts.Token);
                    }
                }
                catch (OperationCanceledException) when (watchCts.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    journal.Logger.LogWarning(e, "The cancel check for request {RequestId} failed; trying again.", plan.RequestId);
                }
            }
        }, CancellationToken.None);

        try
        {
            return await connector.WatchTransferAsync(plan, operationId, async p =>
            {
                var now = journal.Now;
                if (now - lastWrite < ProgressWriteInterval && p.Percent < 100) return;
                lastWrite = now;
                await journal.WriteProgressAsync(p, ct);
            }, ct);
        }
        finally
        {
            await watchCts.CancelAsync();
            await guardLoop;
        }
    }

    private async Task RecordCancelRefusalAsync(StepContext context, int attempt, int maxAttempts, ConnectorException e, CancellationToken ct)
    {
        var refusedBy = HypervisorName(context.Plan.Source);
        var reason = $"{e.FaultType}: {e.Message}";
        var final = attempt >= maxAttempts;
        var message = final
            ? $"Cancel refused by {refusedBy}: {reason} (asked {attempt} times; the portal stopped asking and the transfer goes on)."
            : $"Cancel attempt {attempt} of {maxAttempts} refused by {refusedBy}: {reason}; asking again.";
        if (final) context.CancelRefusal = $"cancel refused by {refusedBy}: {reason}";
        context.Journal.Logger.LogWarning("Request {RequestId}: {Message}", context.Plan.RequestId, message);
        // Its own unit of work: the runner's context belongs to the main flow, which is watching the transfer meanwhile.
        await context.Journal.AuditApartAsync(final ? AuditActions.RequestCancelRefused : AuditActions.JobStep,
            new { step = Name, status = final ? "cancel-refused" : "cancel-retry", message, refusedBy, reason, attempt, maxAttempts }, ct);
    }

    /// <summary>The name an Operator knows the hypervisor by: the connection's name, and the endpoint's host when it has one.</summary>
    private static string HypervisorName(ConnectionInfo connection)
    {
        var first = connection.Endpoint.Split([' ', ',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) && uri.Host != connection.Name
            ? $"{connection.Name} ({uri.Host})"
            : connection.Name;
    }

    private static bool IsAtTarget(MigrationPlan plan, VmPlacement location) =>
        (!plan.Kind.MovesCompute() || location.HostId == plan.Target.HostId)
        && (!plan.Kind.MovesStorage() || location.Datastores.Contains(plan.Target.DatastoreName));
}
