using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>The connector makes the hypervisor encrypt the transfer and says what encryption actually applies.</summary>
public sealed class EnforceEncryptionStep : IItineraryStep
{
    public string Name => ItinerarySteps.EnforceEncryption;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var plan = context.Plan;
        var description = plan.Options.RequireEncryption
            ? await context.Connector.EnforceEncryptionAsync(plan, context.Cancellation)
            : $"Not encrypted: the requester turned encryption off and connection '{plan.Source.Name}' has an administrator policy allowing it.";
        await context.Journal.MutateAsync(r => r.RecordEncryption(description), context.Cancellation);
        return plan.Options.RequireEncryption ? StepOutcome.Succeeded(description) : StepOutcome.Skipped(description);
    }

    // Setting the encryption again is harmless (it is a setting, not an action), and reads back what applies.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
