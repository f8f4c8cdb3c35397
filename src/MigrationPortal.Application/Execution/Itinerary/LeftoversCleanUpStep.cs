using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// Asks the destination to remove what the move left behind for this ending (the source copy after a storage move that
/// succeeded, a pre-created copy after one that failed), or to keep it per its retention setting; the step says which.
/// </summary>
public sealed class LeftoversCleanUpStep : IItineraryStep
{
    public string Name => ItinerarySteps.CleanUpLeftovers;

    public StepStage Stage => StepStage.CleanUp;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var report = await context.Destination.RemoveLeftoversAsync(context.Plan, context.Ending, context.Cancellation);
        return report.Kept ? StepOutcome.Skipped(report.Description) : StepOutcome.Succeeded(report.Description);
    }

    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
