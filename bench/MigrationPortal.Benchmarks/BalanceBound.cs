using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// The lowest imbalance any balance plan with a given move limit could reach: a relaxation, so that a plan's result can be
/// read against what was possible (as the consolidation solver reports its bound).
/// <para>
/// Relaxed: with k VM moves in a cluster, at most the k largest movable VMs' loads change hosts, and that load may be
/// spread as finely as wanted (no capacity, rule, datastore or network, no VM granularity). The best use of a budget T of
/// moved load is then to cut the busiest hosts down to one level and fill the idlest up to another ("water-filling"), so the
/// spread after it is a lower bound on the spread of any real plan. The move limit is split over the clusters to lower the
/// host-weighted imbalance most, exactly (dynamic programming over the clusters).
/// </para>
/// Load is measured on each VM's own host; in a cluster whose hosts differ in size, load moved to a larger host weighs less
/// there, which the relaxation ignores (it stays a bound for clusters of equal hosts, an estimate otherwise).
/// </summary>
internal static class BalanceBound
{
    public sealed record Result(double ImbalanceBefore, double BestImbalance, IReadOnlyList<int> MovesPerCluster);

    public static Result Compute(PlacementProblem problem, OptimizerSettings settings, int maxMoves)
    {
        var state = new PlacementState(problem);
        var groups = state.Groups.Count;
        var hostCounts = new int[groups];
        var curves = new double[groups][];
        for (var g = 0; g < groups; g++)
        {
            var usable = state.GroupHosts[g].Where(h => problem.Hosts[h].Usable).ToArray();
            hostCounts[g] = usable.Length;
            var loads = usable.Select(h => state.Load(h, settings)).ToArray();
            // Every movable VM on a usable host, largest load first: the k largest are the most load k moves can carry.
            var movable = state.Units.Where(u => u.Movable && u.Group == g && u.OriginalHost >= 0 && problem.Hosts[u.OriginalHost].Usable)
                .SelectMany(u => u.Vms.Select(v => (problem.Vms[v], u.OriginalHost)))
                .Select(x => settings.CpuWeight * x.Item1.CpuDemandMhz / problem.Hosts[x.OriginalHost].CpuCapacityMhz
                    + settings.MemoryWeight * x.Item1.MemoryDemandMb / problem.Hosts[x.OriginalHost].MemoryCapacityMb)
                .OrderByDescending(l => l).ToArray();
            var curve = new double[maxMoves + 1];
            var carried = 0.0;
            for (var k = 0; k <= maxMoves; k++)
            {
                if (k > 0 && k <= movable.Length)
                    carried += movable[k - 1];
                curve[k] = SpreadAfterMoving(loads, carried);
            }
            curves[g] = curve;
        }

        // best[g][k]: the least host-weighted imbalance of clusters 0..g-1 with k moves among them.
        var best = new double[groups + 1, maxMoves + 1];
        var choice = new int[groups + 1, maxMoves + 1];
        for (var g = 1; g <= groups; g++)
            for (var k = 0; k <= maxMoves; k++)
            {
                best[g, k] = double.PositiveInfinity;
                for (var given = 0; given <= k; given++)
                {
                    var value = best[g - 1, k - given] + hostCounts[g - 1] * curves[g - 1][given];
                    if (value < best[g, k])
                    {
                        best[g, k] = value;
                        choice[g, k] = given;
                    }
                }
            }
        var split = new int[groups];
        for (int g = groups, k = maxMoves; g > 0; g--)
        {
            split[g - 1] = choice[g, k];
            k -= choice[g, k];
        }
        var hosts = hostCounts.Sum();
        return new Result(state.OverallImbalance(settings), hosts == 0 ? 0 : best[groups, maxMoves] / hosts, split);
    }

    /// <summary>The coefficient of variation left after taking <paramref name="moved"/> load off the busiest hosts (down to one
    /// level) and putting it on the idlest (up to another level).</summary>
    internal static double SpreadAfterMoving(IReadOnlyList<double> loads, double moved)
    {
        if (loads.Count < 2)
            return 0;
        var mean = loads.Average();
        var excess = loads.Sum(l => Math.Max(0, l - mean));
        if (moved >= excess)
            return 0;
        var top = Level(loads, moved, fromAbove: true);
        var bottom = Level(loads, moved, fromAbove: false);
        double sum = 0, sumSq = 0;
        foreach (var l in loads)
        {
            var after = Math.Clamp(l, bottom, top);
            sum += after;
            sumSq += after * after;
        }
        var meanAfter = sum / loads.Count;
        return meanAfter <= 1e-12 ? 0 : Math.Sqrt(Math.Max(0, sumSq / loads.Count - meanAfter * meanAfter)) / meanAfter;
    }

    // The level a such that Σ max(0, l − a) = amount (from above) or Σ max(0, a − l) = amount (from below), by bisection.
    private static double Level(IReadOnlyList<double> loads, double amount, bool fromAbove)
    {
        double lo = loads.Min(), hi = loads.Max();
        for (var i = 0; i < 100; i++)
        {
            var mid = (lo + hi) / 2;
            var shifted = loads.Sum(l => fromAbove ? Math.Max(0, l - mid) : Math.Max(0, mid - l));
            if (fromAbove == shifted > amount)
                lo = mid;
            else
                hi = mid;
        }
        return (lo + hi) / 2;
    }
}
