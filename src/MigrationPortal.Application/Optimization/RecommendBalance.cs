using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// "Balance this cluster": the fewest moves that bring the spread of host load (CPU and memory, weighted) under the
/// threshold's target, like DRS's recommendations, with the what-if. Nothing is saved; accepting is
/// <see cref="AcceptRecommendation"/>. Operators and Administrators only.
/// </summary>
public sealed class RecommendBalance(RecommendationPlanner planner)
{
    /// <param name="ThresholdLevel">1 (conservative: no move) to 5 (aggressive); null takes Optimization:DefaultThresholdLevel.</param>
    public sealed record Query(Guid ConnectionId, string? ClusterName, int? ThresholdLevel = null);

    public async Task<Recommendation> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        await planner.RequireMayOptimizeAsync(user, ct);
        return (await planner.PlanAsync(query.ConnectionId, query.ClusterName, OptimizationStrategy.Balance, query.ThresholdLevel, ct)).View;
    }
}
