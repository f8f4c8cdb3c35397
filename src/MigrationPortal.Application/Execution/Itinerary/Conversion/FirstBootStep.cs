using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Starts the converted domain and waits for it to answer (guest agent, else Conversion:BootConsolePattern on its serial
/// console) within Conversion:FirstBootTimeout. An answer is recorded with how and the console's last lines; no answer
/// fails the step with them, and the roll-back removes the domain.
/// </summary>
public sealed class FirstBootStep(IOptions<ConversionOptions> options) : IItineraryStep
{
    public string Name => ItinerarySteps.FirstBoot;

    public StepStage Stage => StepStage.Completion;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var ct = context.Cancellation;
        var domain = (await context.DataAsync<DomainRecord>(ItinerarySteps.DefineDomain))?.Name ?? context.Plan.VmName;
        var probe = new BootProbe(options.Value.BootConsolePattern, options.Value.FirstBootTimeout);
        var started = context.Journal.Now;
        var result = await context.Target().BootAsync(context.Plan, domain, probe, ct);
        var took = (context.Journal.Now - started).TotalSeconds;
        if (!result.Answered)
        {
            var why = $"Domain '{domain}' did not answer within {probe.Timeout.TotalSeconds:0} s (waiting for '{probe.ConsolePattern}'). Console: {result.ConsoleExcerpt}";
            return StepOutcome.Failed(why, why);
        }

        await context.Journal.AuditAsync(Name, $"Domain '{domain}' answered after {took:0.#} s ({result.How}). Console: {result.ConsoleExcerpt}", ct);
        return StepOutcome.Succeeded($"Domain '{domain}' answered after {took:0.#} s ({result.How}).");
    }

    // BootAsync restarts a domain already running, so the proof is taken again from its first instruction.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}
