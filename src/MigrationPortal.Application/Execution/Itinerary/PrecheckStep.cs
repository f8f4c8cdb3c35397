using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>The connector's findings with the portal's own (<see cref="MigrationPrechecks"/>); only a Critical finding blocks.</summary>
public sealed class PrecheckStep(MigrationPrechecks prechecks) : IItineraryStep
{
    public string Name => ItinerarySteps.Precheck;

    public StepStage Stage => StepStage.Preparation;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var request = await context.Journal.ReloadAsync(context.Cancellation);
        var findings = await prechecks.CheckAsync(context.Plan, request.VmId, faultsAsFindings: false, context.Cancellation);
        var critical = findings.Where(f => f.Severity == FindingSeverity.Critical).ToList();
        var summary = findings.Count == 0 ? "No findings." : string.Join(" ", findings.Select(f => $"[{f.Severity}] {f.Message}"));
        return critical.Count > 0
            ? StepOutcome.Failed(summary, "Precheck blocked the migration: " + string.Join(" ", critical.Select(c => c.Message)))
            : StepOutcome.Succeeded(summary);
    }

    // Checks change nothing, so an interrupted precheck is simply run again.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
