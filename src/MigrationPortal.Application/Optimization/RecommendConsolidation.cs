using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// "Free hosts in this cluster": packs the VMs onto as few hosts as the headroom and rules allow (<see cref="PlanConsolidation"/>:
/// greedy first, then the CP-SAT solver), with the hosts freed, the power and cost saved (Optimization:WattsPerHost and
/// PricePerKwh), the solver's gap to its bound, and the what-if. Nothing is saved. Operators and Administrators only.
/// </summary>
public sealed class RecommendConsolidation(RecommendationPlanner planner)
{
    public sealed record Query(Guid ConnectionId, string? ClusterName);

    public async Task<Recommendation> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        await planner.RequireMayOptimizeAsync(user, ct);
        return (await planner.PlanAsync(query.ConnectionId, query.ClusterName, OptimizationStrategy.Consolidate, null, ct)).View;
    }
}
