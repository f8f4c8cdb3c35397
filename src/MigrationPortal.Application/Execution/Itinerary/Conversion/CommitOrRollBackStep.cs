using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Ends a conversion on every ending. Succeeded: the source is left off and annotated (unless the request said KeepOff),
/// both connections' inventories are synced so the VM shows on its new connection, and both identities are recorded.
/// Failed or cancelled: an open export is aborted, what was made on the destination (domain and volumes, from the step
/// data) is removed, and the source is powered on again if it was on; the message says what was removed and what was kept.
/// </summary>
public sealed class CommitOrRollBackStep(IMigrationJobs jobs) : IItineraryStep
{
    public string Name => ItinerarySteps.CommitOrRollBack;

    public StepStage Stage => StepStage.CleanUp;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public Task<StepOutcome> RunAsync(StepContext context) =>
        context.Ending == MoveEnding.Succeeded ? CommitAsync(context) : RollBackAsync(context);

    // Each part is safe to repeat: an annotation names the request, a removal says what was not there, a power-on leaves an on VM on.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);

    private async Task<StepOutcome> CommitAsync(StepContext context)
    {
        var plan = context.Plan;
        var ct = context.Cancellation;
        var domain = await context.DataAsync<DomainRecord>(ItinerarySteps.DefineDomain);
        var target = domain is null ? "(no domain recorded)" : $"domain '{domain.Name}' (UUID {domain.Uuid ?? "new"}) on {domain.HostId} of connection '{plan.Destination.Name}'";
        var kept = new List<string> { "the source left powered off" };
        if (plan.Conversion?.AfterSuccess != SourceAfterConversion.KeepOff)
        {
            await context.Source().AnnotateAsync(plan, $"Converted to KVM by migration request {plan.RequestId} at {context.Journal.Now:u}: now {target}.", ct);
            kept.Add("annotated");
        }

        jobs.EnqueueSync(plan.Source.Id);
        if (plan.Destination.Id != plan.Source.Id) jobs.EnqueueSync(plan.Destination.Id);
        var identities = $"Source VM '{plan.VmName}' ({plan.VmExternalId}) on connection '{plan.Source.Name}' is now {target}.";
        await context.Journal.AuditAsync(Name, identities, ct);
        return StepOutcome.Succeeded($"{identities} Kept: {string.Join(", ", kept)}; inventory sync queued for both connections.");
    }

    private async Task<StepOutcome> RollBackAsync(StepContext context)
    {
        var plan = context.Plan;
        var ct = context.Cancellation;
        var said = new List<string>();
        var reason = context.Ending == MoveEnding.Cancelled ? "The migration was cancelled." : "The migration failed.";

        if (context.Conversion.Export is { } open)
        {
            context.Conversion.Export = null;
            await open.AbortAsync(reason, ct);
            await open.DisposeAsync();
            said.Add($"export {open.ExportId} aborted");
        }
        else if (await context.DataAsync<ExportRecord>(ItinerarySteps.Export) is { ExportId: { } exportId }
                 && (await context.Journal.ReloadAsync(ct)).FindStep(ItinerarySteps.CopyDisks)?.Status is not StepStatus.Succeeded)
        {
            // Opened by an earlier run and not completed: end it, whatever state it is in.
            said.Add($"export {exportId}: {await context.Source().AbortExportAsync(plan, exportId, reason, ct)}");
        }

        var volumes = (await context.DataAsync<VolumesRecord>(ItinerarySteps.CopyDisks))?.Volumes ?? [];
        var domain = await context.DataAsync<DomainRecord>(ItinerarySteps.DefineDomain);
        if (volumes.Count > 0 || domain is not null)
        {
            // No domain recorded means none was defined: an empty name asks the destination to remove only the volumes,
            // never a domain of the source's name that someone else owns.
            var report = await context.Target().RemoveConvertedAsync(plan, domain?.Name ?? "", volumes, ct);
            said.Add($"destination: {report.Description}");
        }
        else
        {
            said.Add("nothing was made on the destination");
        }

        var stored = await context.DataAsync<StoredPowerState>(ItinerarySteps.StorePowerState);
        if (stored is null) said.Add("the source was not touched");
        else if (stored.State == PowerState.On)
        {
            await context.Source().PowerOnAsync(plan, ct);
            said.Add("the source powered on again (it was on)");
        }
        else said.Add($"the source left {stored.State.ToString().ToLowerInvariant()} (as it was)");

        var message = $"Rolled back: {string.Join("; ", said)}.";
        await context.Journal.AuditAsync(Name, message, ct);
        return StepOutcome.Succeeded(message);
    }
}
