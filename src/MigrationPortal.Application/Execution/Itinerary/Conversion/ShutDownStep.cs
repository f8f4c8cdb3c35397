using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Shuts the guest down (and powers it off if it does not go within Conversion:ShutdownTimeout), so the export reads a
/// consistent disk. A VM already off is left as it is; asking again after an interruption is harmless.
/// </summary>
public sealed class ShutDownStep(IOptions<ConversionOptions> options) : IItineraryStep
{
    public string Name => ItinerarySteps.ShutDown;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var stored = await context.DataAsync<StoredPowerState>(ItinerarySteps.StorePowerState);
        if (stored?.State == PowerState.Off) return StepOutcome.Succeeded("The source was already powered off; nothing to shut down.");
        var timeout = options.Value.ShutdownTimeout;
        var result = await context.Source().ShutDownAsync(context.Plan, timeout, context.Cancellation);
        var how = result.GuestShutDown ? "the guest shut itself down" : $"the guest did not shut down within {timeout.TotalSeconds:0} s and was powered off";
        await context.Journal.AuditAsync(Name, $"Source powered off: {how}. {result.Description}", context.Cancellation);
        return StepOutcome.Succeeded(result.Description);
    }

    // ShutDownAsync leaves a VM that is already off as it is, so asking again finds what the first call did.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
