using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Records on the request what protects each leg of the conversion (vCenter pinned, libvirt over TLS), as the precheck
/// found it; the precheck has already refused a leg no policy allows, so this step states and never decides.
/// </summary>
public sealed class ConfirmEncryptionStep : IItineraryStep
{
    public string Name => ItinerarySteps.ConfirmEncryption;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var (sourceSafe, destinationSafe, description) = ConversionPrechecks.DescribeEncryption(context.Plan);
        var applied = sourceSafe && destinationSafe ? description : description + " Allowed by the connection's administrator policy.";
        await context.Journal.MutateAsync(r => r.RecordEncryption(applied), context.Cancellation);
        return StepOutcome.Succeeded(applied);
    }

    // Recording the same words again is harmless.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
