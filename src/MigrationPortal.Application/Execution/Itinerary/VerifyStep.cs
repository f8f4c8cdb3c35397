using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// The request moves to Verifying and the destination confirms where the VM now runs; the VM's inventory row takes that
/// placement at once.
/// </summary>
public sealed class VerifyStep : IItineraryStep
{
    public string Name => ItinerarySteps.Verify;

    public StepStage Stage => StepStage.Completion;

    public bool AppliesTo(MigrationPlan plan) => true;

    public async Task<StepOutcome> RunAsync(StepContext context)
    {
        var journal = context.Journal;
        var ct = context.Cancellation;
        if ((await journal.ReloadAsync(ct)).State == RequestState.Running)
            await journal.MutateAsync(r => r.BeginVerify(journal.Now), ct);
        var verification = await context.Destination.VerifyAsync(context.Plan, ct);
        if (!verification.IsAtTarget) return StepOutcome.Failed(verification.Details, "Verification failed: " + verification.Details);

        await RecordNewPlacementAsync(context, verification);
        await journal.WriteProgressAsync(new TransferProgress("done", 100, null, null, TimeSpan.Zero), ct);
        return StepOutcome.Succeeded(verification.Details, $"The VM runs at its target: {verification.Details}");
    }

    // Verification only reads, so an interrupted one is run again.
    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);

    /// <summary>
    /// The VM's inventory row takes the placement the hypervisor reports at verification (host, cluster, datastores,
    /// power and migration encryption), so its page and the request wizard are right at once rather than after the next
    /// sync. A fault here does not undo a finished move: the row is left for the next sync, and the run goes on.
    /// </summary>
    private static async Task RecordNewPlacementAsync(StepContext context, VerificationResult verification)
    {
        var journal = context.Journal;
        var db = journal.Db;
        var ct = context.Cancellation;
        try
        {
            var placement = verification.Placement ?? await context.Connector.LocateAsync(context.Plan, ct);
            var vmId = (await journal.ReloadAsync(ct)).VmId;
            var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);
            if (vm is null) return;
            if (placement.HostId is { } hostId)
            {
                var host = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == vm.ConnectionId && h.ExternalId == hostId).Select(h => new { h.Name, h.ClusterName }).FirstOrDefaultAsync(ct);
                vm.HostExternalId = hostId;
                vm.HostName = placement.HostName ?? host?.Name ?? vm.HostName;
                vm.ClusterName = host?.ClusterName ?? vm.ClusterName;
            }

            if (placement.Datastores.Count > 0) vm.Datastores = string.Join(',', placement.Datastores);
            if (placement.MigrateEncryption is { } encryption) vm.MigrateEncryption = encryption;
            if (placement.PowerState != PowerState.Unknown) vm.PowerState = placement.PowerState;
            vm.SyncedAt = journal.Now;
            await db.SaveChangesAsync(ct);
        }
        catch (ConnectorException e)
        {
            journal.Logger.LogWarning(e, "Request {RequestId}: the moved VM's new placement could not be read; its inventory row waits for the next sync.", journal.RequestId);
            db.DiscardChanges();
        }
    }
}
