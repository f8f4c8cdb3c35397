namespace MigrationPortal.Domain.Optimization;

/// <summary>DRS-like balance: while a cluster's imbalance (coefficient of variation of host load) is above the threshold's
/// target, take the single move, over all clusters, that lowers the host-weighted imbalance most, among the moves that keep
/// every constraint; stop at the target, at the move limit, or when no move gains at least <see cref="OptimizerSettings.MinimumGain"/>.
/// Each VM moves at most once, and each move is checked against the state after the moves before it.</summary>
public static class BalancePlanner
{
    public static PlacementPlan Plan(PlacementProblem problem, OptimizerSettings settings)
    {
        settings.Validate();
        var start = new PlacementState(problem);
        var state = start.Clone();
        var target = OptimizerSettings.TargetImbalance(settings.ThresholdLevel);
        var moved = new bool[start.Units.Count];
        var unitsByGroup = start.Units.Where(u => u.Movable).GroupBy(u => u.Group).ToDictionary(g => g.Key, g => g.ToArray());
        var notes = new List<string>();
        var steps = new List<PlanStep>();
        var best = new Candidate?[start.Groups.Count];
        var blocks = new Dictionary<MoveBlock, int>[start.Groups.Count];
        var usableHosts = start.GroupHosts.Select(hs => hs.Count(h => problem.Hosts[h].Usable)).ToArray();

        for (var g = 0; g < start.Groups.Count; g++)
            best[g] = BestMove(state, g, unitsByGroup.GetValueOrDefault(g) ?? [], moved, settings, target, out blocks[g]);

        var movedVms = 0;
        while (movedVms < settings.MaxMoves)
        {
            var pick = -1;
            for (var g = 0; g < best.Length; g++)
                if (best[g] is { } c && (pick < 0 || c.Gain * usableHosts[g] > best[pick]!.Value.Gain * usableHosts[pick]))
                    pick = g;
            if (pick < 0)
                break;
            var m = best[pick]!.Value;
            if (movedVms + m.Unit.Vms.Count > settings.MaxMoves)
                break;
            var from = state.HostOf(m.Unit);
            var reason = $"Balance {start.Groups[pick]}: {problem.Hosts[from].Id} load {state.Load(from, settings):P0} → {problem.Hosts[m.To].Id} load {state.Load(m.To, settings):P0}; imbalance {m.Before:0.000} → {m.After:0.000} (target {target:0.000})";
            state.Move(m.Unit, m.To);
            moved[m.Unit.Index] = true;
            steps.Add(new PlanStep(m.Unit, m.To, reason));
            movedVms += m.Unit.Vms.Count;
            best[pick] = BestMove(state, pick, unitsByGroup[pick], moved, settings, target, out blocks[pick]);
        }

        for (var g = 0; g < start.Groups.Count; g++)
        {
            var imbalance = state.Imbalance(g, settings);
            var name = start.Groups[g];
            if (settings.ThresholdLevel == 1)
                notes.Add($"{name}: threshold level 1 recommends no balance move.");
            else if (imbalance <= target)
                notes.Add(start.Imbalance(g, settings) <= target
                    ? $"{name}: imbalance {imbalance:0.000} is already under the target {target:0.000}; nothing to do."
                    : $"{name}: imbalance brought under the target {target:0.000} ({imbalance:0.000}).");
            else if (movedVms >= settings.MaxMoves || best.Any(b => b is { } c && movedVms + c.Unit.Vms.Count > settings.MaxMoves))
                notes.Add($"{name}: imbalance {imbalance:0.000} is still above the target {target:0.000}: the plan reached its limit of {settings.MaxMoves} moves.");
            else
                notes.Add($"{name}: imbalance {imbalance:0.000} is still above the target {target:0.000}, and no remaining move lowers it by {settings.MinimumGain}: {Describe(blocks[g])}.");
        }
        return PlanBuilder.Build(PlanStrategy.Balance, start, steps, settings, notes);
    }

    private static string Describe(Dictionary<MoveBlock, int> blocks)
    {
        if (blocks.Count == 0)
            return "no VM in it may move, or no host in it may take one";
        return string.Join(", ", blocks.OrderByDescending(b => b.Value).Select(b => b.Key switch
        {
            MoveBlock.Capacity => $"{b.Value} candidate moves would break capacity less headroom",
            MoveBlock.KeepApart => $"{b.Value} would break a keep-apart rule",
            MoveBlock.None => $"{b.Value} would gain too little",
            _ => $"{b.Value} blocked ({b.Key})",
        }));
    }

    private readonly record struct Candidate(MovableUnit Unit, int To, double Gain, double Before, double After);

    // One cluster's best move: O(units × allowed hosts), each candidate's new imbalance in O(1) from the sums of loads
    // and of their squares, since a move changes only two hosts' loads.
    private static Candidate? BestMove(PlacementState state, int group, MovableUnit[] units, bool[] moved, OptimizerSettings s, double target,
        out Dictionary<MoveBlock, int> blocks)
    {
        blocks = [];
        var hosts = state.Problem.Hosts;
        var n = 0;
        double sum = 0, sumSq = 0;
        var load = new double[hosts.Count];
        foreach (var h in state.GroupHosts[group])
        {
            if (!hosts[h].Usable)
                continue;
            load[h] = state.Load(h, s);
            sum += load[h];
            sumSq += load[h] * load[h];
            n++;
        }
        var before = PlacementState.CoefficientOfVariation(sum, sumSq, n);
        if (before <= target || units.Length == 0)
            return null;

        Candidate? best = null;
        var cpuCap = state.CpuCapacity;
        var memCap = state.MemCapacity;
        double wc = s.CpuWeight, wm = s.MemoryWeight;
        foreach (var u in units)
        {
            if (moved[u.Index])
                continue;
            var from = state.HostOf(u);
            var lf = load[from];
            double cpu = u.CpuMhz, mem = u.MemoryMb;
            var df = wc * cpu / cpuCap[from] + wm * mem / memCap[from];
            foreach (var to in u.AllowedHosts)
            {
                // Only a move from a busier to a less busy host can lower the spread; skip the rest before the checks.
                if (load[to] >= lf)
                    continue;
                var dt = wc * cpu / cpuCap[to] + wm * mem / memCap[to];
                var newSum = sum - df + dt;
                var newSumSq = sumSq - lf * lf - load[to] * load[to] + (lf - df) * (lf - df) + (load[to] + dt) * (load[to] + dt);
                var after = PlacementState.CoefficientOfVariation(newSum, newSumSq, n);
                var gain = before - after;
                if (gain < s.MinimumGain || (best is { } b && gain <= b.Gain))
                {
                    if (gain < s.MinimumGain)
                        blocks[MoveBlock.None] = blocks.GetValueOrDefault(MoveBlock.None) + 1;
                    continue;
                }
                var block = state.Check(u, to);
                if (block != MoveBlock.None)
                {
                    blocks[block] = blocks.GetValueOrDefault(block) + 1;
                    continue;
                }
                best = new Candidate(u, to, gain, before, after);
            }
        }
        return best;
    }
}
