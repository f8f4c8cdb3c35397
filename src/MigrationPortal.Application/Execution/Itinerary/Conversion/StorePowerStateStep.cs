using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Saves the source's power state before the conversion shuts it down, so a roll-back powers it on again only if it was
/// on. Once saved, the saved state wins: a resumed run may find the VM off because the shut-down step already ran.
/// </summary>
public sealed class StorePowerStateStep : IItineraryStep
{
    public string Name => ItinerarySteps.StorePowerState;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        if (await context.DataAsync<StoredPowerState>(Name) is { } stored)
            return StepOutcome.Succeeded($"The source's power state was stored at {stored.StoredAt:u} as {stored.State}; kept.");
        var vm = await context.DescribeAsync();
        var state = new StoredPowerState(vm.PowerState, context.Journal.Now);
        await context.Journal.SaveStepDataAsync(Name, state, $"Stored the power state of '{vm.Name}': {vm.PowerState}.", context.Cancellation);
        return StepOutcome.Succeeded($"Source '{vm.Name}' was {vm.PowerState}.");
    }

    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
