using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// The pre-migration snapshot (or disk backup), when the request asked for one. Its ID is saved on the request at once, so
/// the clean-up step always finds it; once the step has succeeded it is never taken again, however often the run resumes.
/// </summary>
public sealed class SnapshotStep : IItineraryStep
{
    public string Name => ItinerarySteps.Snapshot;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => plan.Options.TakeSnapshot;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var snapshotId = await context.Connector.CreateSnapshotAsync(context.Plan, context.Cancellation);
        await context.Journal.MutateAsync(r => r.RecordSnapshot(snapshotId), context.Cancellation);
        context.Plan = context.Plan with { SnapshotId = snapshotId };
        return StepOutcome.Succeeded($"Snapshot {snapshotId} taken.");
    }

    public async Task<StepOutcome> ReconcileAsync(StepContext context)
    {
        // Interrupted after the snapshot was recorded: it exists and is on the request; do not take a second one.
        if (context.Plan.SnapshotId is { } recorded) return StepOutcome.Succeeded($"Snapshot {recorded} taken (recorded before an interruption).");
        // Interrupted before the ID was saved: a snapshot the hypervisor may hold has no record. Take one that does; the
        // connectors name snapshots after the request, so the demo and vCenter reuse or add beside it (see docs/architecture.md).
        return await RunAsync(context);
    }
}
