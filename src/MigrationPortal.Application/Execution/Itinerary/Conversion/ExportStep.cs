using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Opens the export of the powered-off source (vSphere's ExportVm and its HttpNfcLease) and keeps it open for copy-disks
/// (<see cref="ConversionRun.Export"/>). Like the transfer, intent first: the intent is saved before the call, the
/// export's ID and disks right after it, each in its own commit. A run that finds an intent without an ID cannot know
/// whether the call opened a lease; it aborts nothing and opens a new export, because a lease nobody keeps alive is
/// ended by vSphere itself once its timeout passes (about five minutes), and it holds nothing the new export needs.
/// </summary>
public sealed class ExportStep : IItineraryStep
{
    public string Name => ItinerarySteps.Export;

    public StepStage Stage => StepStage.Transfer;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var export = await OpenAsync(context, "Opening the export of the powered-off source.");
        return StepOutcome.Succeeded($"Export {export.ExportId} open: {Describe(export.Disks)}.");
    }

    public async Task<StepOutcome> ReconcileAsync(StepContext context)
    {
        var record = await context.DataAsync<ExportRecord>(Name);
        if (record is null)
        {
            await context.Journal.AuditAsync("reconcile", "Interrupted before the export was asked for; opening it now.", context.Cancellation);
            return await RunAsync(context);
        }

        if (record.ExportId is null)
            return Opened(await OpenAsync(context,
                $"The export asked for at {record.IntentAt:u} has no recorded ID: whether it opened is unknown. Nothing is aborted " +
                "(a lease nobody keeps alive is ended by vSphere when it times out); opening a new export."));

        var export = await ResumeOrReopenAsync(context, record.ExportId);
        return Opened(export);
    }

    private static StepOutcome Opened(IDiskExport export) => StepOutcome.Succeeded($"Export {export.ExportId} open: {Describe(export.Disks)}.");

    /// <summary>
    /// The export this run holds, or the one an earlier run opened if the source still serves it, or else a new one (the
    /// old one aborted first): what copy-disks reads from.
    /// </summary>
    internal static async Task<IDiskExport> CurrentAsync(StepContext context)
    {
        if (context.Conversion.Export is { } held) return held;
        var record = await context.DataAsync<ExportRecord>(ItinerarySteps.Export);
        if (record?.ExportId is { } id) return await ResumeOrReopenAsync(context, id);
        return await OpenAsync(context, "No export of this request is recorded; opening one.");
    }

    private static async Task<IDiskExport> ResumeOrReopenAsync(StepContext context, string exportId)
    {
        var source = context.Source();
        var resumed = await source.ResumeExportAsync(context.Plan, exportId, context.Cancellation);
        if (resumed is not null)
        {
            context.Conversion.Export = resumed;
            await context.Journal.AuditAsync("reconcile", $"Re-attached to export {exportId}, opened by an earlier run.", context.Cancellation);
            return resumed;
        }

        var found = await source.AbortExportAsync(context.Plan, exportId, "The portal run that opened it was interrupted; a new export replaces it.", context.Cancellation);
        return await OpenAsync(context, $"Export {exportId} of an earlier run can no longer be used ({found}); opening a new export.");
    }

    private static async Task<IDiskExport> OpenAsync(StepContext context, string intentNote)
    {
        var journal = context.Journal;
        var ct = context.Cancellation;
        // The intent commits before the call: a node that dies after vSphere accepted it leaves this behind, and the next
        // run knows an unrecorded lease may exist instead of believing none was ever opened.
        await journal.SaveStepDataAsync(ItinerarySteps.Export, new ExportRecord(journal.Now, null, null), intentNote, ct);
        var export = await context.Source().BeginExportAsync(context.Plan, ct);
        context.Conversion.Export = export;
        // Saved before anything else is done with the export, so a roll-back or a resumed run can always find and end it.
        await journal.SaveStepDataAsync(ItinerarySteps.Export, new ExportRecord(journal.Now, export.ExportId, export.Disks),
            $"Export {export.ExportId} opened: {Describe(export.Disks)}.", ct);
        return export;
    }

    private static string Describe(IReadOnlyList<ExportedDisk> disks) =>
        disks.Count == 0 ? "no disks" : string.Join(", ", disks.Select(d => $"{d.Label} ({d.CapacityBytes / 1048576.0:0} MiB, {d.Format})"));
}
