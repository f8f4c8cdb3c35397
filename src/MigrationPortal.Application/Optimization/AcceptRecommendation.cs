using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// An Operator accepts the recommendation they were shown. The server plans again from the inventory as it is now and
/// compares the fingerprint of its moves with the one shown: if they differ (a VM moved, a host went into maintenance, the
/// load shifted enough to change the plan) it refuses with a conflict, so no one approves moves they did not see.
/// Otherwise the moves become ONE batch, submitted exactly as a host evacuation is (compute-only moves, the approval policy,
/// the schedule in the next window that covers each VM), and audited.
/// </summary>
public sealed class AcceptRecommendation(IPortalDb db, RecommendationPlanner planner, SubmitBatch submitBatch, TimeProvider time)
{
    /// <param name="Fingerprint">The <see cref="Recommendation.Fingerprint"/> shown.</param>
    /// <param name="ThresholdLevel">For a balance recommendation, the threshold it was asked with (null: the default).</param>
    public sealed record Command(Guid ConnectionId, string? ClusterName, OptimizationStrategy Strategy, string Fingerprint, string Justification,
        int? ThresholdLevel = null, ScheduleMode ScheduleMode = ScheduleMode.NextWindow, DateTimeOffset? NotBefore = null, bool TakeSnapshot = false,
        bool RequireEncryption = true, Guid? WindowId = null);

    public async Task<BatchView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await planner.RequireMayOptimizeAsync(user, ct);
        new Validation()
            .Text(command.Fingerprint, nameof(command.Fingerprint), 64, "Send the fingerprint of the recommendation you accept.")
            .Text(command.Justification, nameof(command.Justification), TextLimits.Justification, "Say why these VMs should move.")
            .Defined<ScheduleMode>(command.ScheduleMode, nameof(command.ScheduleMode))
            .Defined<OptimizationStrategy>(command.Strategy, nameof(command.Strategy))
            .Require(command.Strategy != OptimizationStrategy.Consolidate || command.ThresholdLevel is null, nameof(command.ThresholdLevel),
                "Only a balance recommendation takes a threshold.")
            .ThrowIfInvalid();

        var planned = await planner.PlanAsync(command.ConnectionId, command.ClusterName, command.Strategy, command.ThresholdLevel, ct);
        var view = planned.View;
        if (!string.Equals(view.Fingerprint, command.Fingerprint.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new ConflictException($"The {Describe(command.Strategy)} recommendation for {view.GroupName} changed since it was shown "
                + $"(it now holds {view.Moves.Count} move(s)). Look at the new one and accept it if it still suits.");
        if (view.Moves.Count == 0)
            throw ValidationFailedException.For(nameof(command.Fingerprint), "This recommendation holds no move: there is nothing to submit.");

        var items = view.Moves.Select(m => new SubmitBatch.Item(m.VmId, MigrationKind.Compute, Live: true, m.ToHostId, null)).ToList();
        // Recorded in the batch's own transaction: if the batch is refused, this record goes with it.
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.RecommendationAccepted, "Cluster", $"{view.ConnectionId}/{view.ClusterName}",
            new
            {
                group = view.GroupName,
                strategy = command.Strategy.ToString(),
                threshold = command.Strategy == OptimizationStrategy.Balance ? view.ThresholdLevel : (int?)null,
                fingerprint = view.Fingerprint,
                moves = view.Moves.Select(m => new { vm = m.VmName, from = m.FromHostName, to = m.ToHostName }),
                imbalanceBefore = Math.Round(view.ImbalanceBefore, 4),
                imbalanceAfter = Math.Round(view.ImbalanceAfter, 4),
                hostsFreed = view.HostsFreed,
                justification = command.Justification,
            });
        try
        {
            var name = $"{(command.Strategy == OptimizationStrategy.Balance ? "Balance" : "Consolidate")} {view.GroupName}";
            return await submitBatch.HandleAsync(user, new SubmitBatch.Command(name.Length > TextLimits.Name ? name[..TextLimits.Name] : name, command.Justification, items,
                command.ScheduleMode, command.NotBefore, command.TakeSnapshot, command.RequireEncryption, command.WindowId), ct, SubmissionAuthority.Recommendation);
        }
        catch (ValidationFailedException e)
        {
            // The batch names its items "Items[i]"; say which VM each is, since the caller sent no list.
            db.DiscardChanges();
            throw new ValidationFailedException(e.Errors.ToDictionary(
                x => x.Key.StartsWith("Items[", StringComparison.Ordinal) ? "Moves[" + x.Key["Items[".Length..] : x.Key,
                x => x.Value.Select(v => ItemVm(x.Key, view) is { } vm ? $"{vm}: {v}" : v).ToArray()));
        }
    }

    private static string? ItemVm(string key, Recommendation view)
    {
        if (!key.StartsWith("Items[", StringComparison.Ordinal)) return null;
        var end = key.IndexOf(']');
        return end > 6 && int.TryParse(key[6..end], out var i) && i < view.Moves.Count ? view.Moves[i].VmName : null;
    }

    private static string Describe(OptimizationStrategy strategy) => strategy == OptimizationStrategy.Balance ? "balance" : "consolidation";
}
