using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Application.Optimization;

/// <summary>Consolidation with the solver: the greedy plan first (it is the warm start, and the answer where the solver does
/// not beat it), then per cluster the solver within its share of the time limit (the solver's deterministic time). A solver answer is used only if it scores
/// better (more hosts freed, then fewer moves) and replays safely on the real figures.</summary>
public sealed class PlanConsolidation(IConsolidationSolver solver, TimeProvider time)
{
    public PlacementPlan Plan(PlacementProblem problem, OptimizerSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        var started = time.GetTimestamp();
        var budget = settings.SolverTimeLimit;
        var start = new PlacementState(problem);
        var greedy = GreedyConsolidator.Steps(start, settings, out var notes);
        var clusters = PackingModel.Build(start, greedy, settings.MaxMoves);
        var totalVms = Math.Max(1, clusters.Sum(c => c.MovableVms));
        var steps = new List<PlanStep>();
        var statuses = new List<string>();
        int freed = 0, bound = 0;
        foreach (var cluster in clusters)
        {
            var warm = PackingModel.Assignment(cluster, greedy);
            var best = warm;
            var bestScore = PackingModel.Score(cluster, warm);
            var inUse = cluster.Hosts.Count(h => h.InUse && !h.HasFixedLoad);
            var clusterBound = cluster.VolumeBoundHostsFreed;
            if (cluster.MovableVms > 0 && inUse > 0 && bestScore.HostsFreed < clusterBound)
            {
                // Each cluster's share of what is left of the budget, by its size. The budget is the solver's deterministic
                // time, not the clock (see CpSatConsolidationSolver): the same inventory gets the same shares, hence the
                // same plan, however busy the node is.
                var share = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, budget.Ticks * cluster.MovableVms / totalVms));
                var solution = solver.Solve(cluster, warm, share, cancellationToken);
                budget -= share;
                totalVms = Math.Max(1, totalVms - cluster.MovableVms);
                if (solution.Assignment is { } answer && PackingModel.Score(cluster, answer).CompareTo(bestScore) > 0 && Replays(start, steps, cluster, answer))
                {
                    best = answer.ToArray();
                    bestScore = PackingModel.Score(cluster, answer);
                }
                // The solver's bound covers only the hosts it was offered; for a restricted model the volume bound stands.
                if (!cluster.Restricted && solution.BoundHostsFreed is { } proven)
                    clusterBound = Math.Min(clusterBound, proven);
                statuses.Add($"{cluster.GroupId}: {solution.Status}{(cluster.Restricted ? $" on {cluster.Units.Count} of its units" : "")}, {bestScore.HostsFreed} freed of at most {clusterBound}");
            }
            else if (cluster.MovableVms > 0 && inUse > 0)
                statuses.Add($"{cluster.GroupId}: Optimal (the greedy plan frees as many hosts as the volume allows: {bestScore.HostsFreed}), solver not needed");
            freed += bestScore.HostsFreed;
            bound += Math.Max(clusterBound, bestScore.HostsFreed);
            steps.AddRange(PackingModel.ToSteps(start, cluster, best));
        }
        var overall = statuses.All(s => s.Contains("Optimal", StringComparison.Ordinal)) ? "Optimal" : "Feasible";
        var report = new SolverReport(overall, freed, bound, time.GetElapsedTime(started), statuses);
        return PlanBuilder.Build(PlanStrategy.Consolidate, start, steps, settings, notes, report);
    }

    // A solver's answer must hold on the real (not rounded) figures, in an order where every step is safe.
    private static bool Replays(PlacementState start, List<PlanStep> before, PackingCluster cluster, IReadOnlyList<int> answer)
    {
        var steps = before.Concat(PackingModel.ToSteps(start, cluster, answer)).ToList();
        return PlanBuilder.Order(start, steps).Safe;
    }
}
