using Google.OrTools.Sat;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Infrastructure.Optimization;

/// <summary>Consolidation with Google OR-Tools CP-SAT. Variables: x[u,h] = unit u ends on host h (only for the hosts the unit
/// may be on), used[h], and per host "sends" and "receives". Constraints: each unit on exactly one host; CPU and memory
/// within capacity less headroom on every host that receives; keep-apart sets; at most the move budget; and no host both
/// sends and receives, so every host only loses or only gains VMs and any order of the moves is safe at every step.
/// Objective (lexicographic through weights): maximise hosts emptied × (movable VMs + 1) − VMs moved.</summary>
public sealed class CpSatConsolidationSolver : IConsolidationSolver
{
    /// <summary>Search workers; the portal shares a few cores with other work, so two by default.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// The search is deterministic: the same cluster gives the same plan on any node and under any load, so a recommendation
    /// accepted on another node (which plans again and compares the moves) is not refused as changed when nothing changed.
    /// Hence the limit is CP-SAT's deterministic time (a count of work, roughly a second of one current core per unit), the
    /// workers' searches are interleaved in a fixed order, and the seed is fixed. There is deliberately no wall-clock limit:
    /// any clock would stop the search at a different point on a busier node. The work is bounded all the same, and a request
    /// that is given up cancels the search (<see cref="CpSolver.StopSearch"/>).
    /// </summary>
    internal static string Parameters(TimeSpan timeLimit, int workers) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"max_deterministic_time:{Math.Max(0.01, timeLimit.TotalSeconds):0.###} num_workers:{workers} interleave_search:true random_seed:1");

    public PackingSolution Solve(PackingCluster cluster, IReadOnlyList<int> warmStart, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        var model = new CpModel();
        var hosts = cluster.Hosts;
        var units = cluster.Units;
        var x = new Dictionary<int, BoolVar>[units.Count];
        var used = hosts.Select((h, i) => model.NewBoolVar($"used{i}")).ToArray();
        var sends = hosts.Select((h, i) => model.NewBoolVar($"send{i}")).ToArray();
        var receives = hosts.Select((h, i) => model.NewBoolVar($"recv{i}")).ToArray();
        var cpu = hosts.Select(_ => new List<(BoolVar, long)>()).ToArray();
        var mem = hosts.Select(_ => new List<(BoolVar, long)>()).ToArray();
        var moveTerms = new List<(BoolVar, long)>();

        for (var u = 0; u < units.Count; u++)
        {
            var unit = units[u];
            x[u] = [];
            foreach (var h in unit.Hosts)
            {
                var v = model.NewBoolVar($"x{u}_{h}");
                x[u][h] = v;
                model.AddImplication(v, used[h]);
                cpu[h].Add((v, unit.Cpu));
                mem[h].Add((v, unit.Mem));
                if (h != unit.Current)
                {
                    model.AddImplication(v, receives[h]);
                    // Leaving the current host makes that host a sender.
                    model.AddImplication(v, sends[unit.Current]);
                    moveTerms.Add((v, unit.VmCount));
                }
            }
            model.AddExactlyOne(x[u].Values);
        }
        var totalMovable = 0L;
        for (var h = 0; h < hosts.Count; h++)
        {
            model.AddBoolOr([sends[h].Not(), receives[h].Not()]);
            if (hosts[h].CanReceive)
            {
                model.Add(LinearExpr.WeightedSum(cpu[h].Select(t => t.Item1), cpu[h].Select(t => t.Item2)) <= Math.Max(0, hosts[h].CpuLimit));
                model.Add(LinearExpr.WeightedSum(mem[h].Select(t => t.Item1), mem[h].Select(t => t.Item2)) <= Math.Max(0, hosts[h].MemLimit));
            }
            else
                model.Add(receives[h] == 0);
            if (hosts[h].HasFixedLoad || !hosts[h].InUse)
                model.Add(used[h] == 1);
        }
        foreach (var set in cluster.ApartSets)
            for (var h = 0; h < hosts.Count; h++)
            {
                var on = set.Units.Where(u => x[u].ContainsKey(h)).Select(u => x[u][h]).ToArray();
                if (on.Length > set.Allowed[h])
                    model.Add(LinearExpr.Sum(on) <= set.Allowed[h]);
            }
        totalMovable = cluster.MovableVms;
        var moved = LinearExpr.WeightedSum(moveTerms.Select(t => t.Item1), moveTerms.Select(t => t.Item2));
        model.Add(moved <= cluster.MaxMovedVms);
        var weight = totalMovable + 1;
        var countable = Enumerable.Range(0, hosts.Count).Where(h => hosts[h].InUse && !hosts[h].HasFixedLoad).ToArray();
        var freed = LinearExpr.Sum(countable.Select(h => used[h].Not()));
        model.Maximize(freed * weight - moved);

        // A complete hint (the greedy plan is feasible in this model) lets the search start from it at once.
        var hintUsed = new bool[hosts.Count];
        var hintSends = new bool[hosts.Count];
        var hintReceives = new bool[hosts.Count];
        for (var u = 0; u < units.Count; u++)
        {
            foreach (var (h, v) in x[u])
                model.AddHint(v, warmStart[u] == h);
            hintUsed[warmStart[u]] = true;
            if (warmStart[u] != units[u].Current)
            {
                hintSends[units[u].Current] = true;
                hintReceives[warmStart[u]] = true;
            }
        }
        for (var h = 0; h < hosts.Count; h++)
        {
            model.AddHint(used[h], hintUsed[h] || hosts[h].HasFixedLoad || !hosts[h].InUse);
            model.AddHint(sends[h], hintSends[h]);
            model.AddHint(receives[h], hintReceives[h]);
        }

        var solver = new CpSolver { StringParameters = Parameters(timeLimit, Workers) };
        using var stop = cancellationToken.Register(solver.StopSearch);
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
            return new PackingSolution(null, status.ToString(), null);
        var assignment = new int[units.Count];
        for (var u = 0; u < units.Count; u++)
            assignment[u] = x[u].First(kv => solver.BooleanValue(kv.Value)).Key;
        // objective ≤ bound for every answer, and moved ≤ totalMovable < weight, so freed ≤ (bound + totalMovable) / weight.
        var bound = (int)Math.Floor((solver.BestObjectiveBound + totalMovable) / weight + 1e-9);
        return new PackingSolution(assignment, status.ToString(), Math.Min(bound, countable.Length));
    }
}
