using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// Removes the pre-migration snapshot on every ending, or keeps it where the connector's retention setting says so; the
/// connector's own words (<see cref="SnapshotCleanup"/>) are the step's message, and a kept snapshot ends the step Skipped.
/// The snapshot ID was saved on the request when it was taken, so a snapshot is never left without a record.
/// </summary>
public sealed class SnapshotCleanUpStep : IItineraryStep
{
    public string Name => ItinerarySteps.CleanUp;

    public StepStage Stage => StepStage.CleanUp;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var snapshotId = (await context.Journal.ReloadAsync(context.Cancellation)).SnapshotId;
        if (snapshotId is null) return StepOutcome.Skipped("No snapshot to remove.");
        var cleanup = await context.Connector.RemoveSnapshotAsync(context.Plan with { SnapshotId = snapshotId }, snapshotId, context.Cancellation);
        return cleanup.Kept ? StepOutcome.Skipped(cleanup.Description) : StepOutcome.Succeeded(cleanup.Description);
    }

    // Removing a snapshot that is already gone is reported as such by every connector, so running again is safe.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
