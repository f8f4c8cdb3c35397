namespace MigrationPortal.Domain.Optimization;

/// <summary>The baseline: first-fit-decreasing bin packing from scratch, ignoring where VMs run now. Per cluster, lift every
/// movable unit out, then place the units largest first, each on the first host (hosts ordered by usable capacity, largest
/// first) that takes it within capacity less headroom and every rule. Units that fit nowhere stay where they were. The
/// result is a placement, not a safe sequence: the plan says when no order of its moves avoids a temporary overcommit.</summary>
public static class FirstFitDecreasingPacker
{
    public static PlacementPlan Plan(PlacementProblem problem, OptimizerSettings settings)
    {
        settings.Validate();
        var start = new PlacementState(problem);
        var state = start.Clone();
        var notes = new List<string>();
        var target = new int[start.Units.Count];
        for (var g = 0; g < start.Groups.Count; g++)
        {
            var units = start.Units.Where(u => u.Group == g && u.Movable).ToArray();
            foreach (var u in units)
                state.MoveUnchecked(u, -1);
            var hosts = start.GroupHosts[g].Where(h => problem.Hosts[h].Usable)
                .OrderByDescending(h => state.CpuLimit[h] / state.CpuLimit.Max() + state.MemLimit[h] / state.MemLimit.Max()).ThenBy(h => h).ToArray();
            var unplaced = 0;
            foreach (var u in units.OrderByDescending(u => GreedyConsolidator.Size(u, start, g)).ThenBy(u => u.Index))
            {
                var to = -1;
                foreach (var h in hosts)
                    if ((h == u.OriginalHost || u.AllowedHosts.Contains(h)) && Fits(state, u, h))
                    {
                        to = h;
                        break;
                    }
                if (to < 0)
                {
                    to = u.OriginalHost;
                    unplaced++;
                }
                state.MoveUnchecked(u, to);
                target[u.Index] = to;
            }
            if (unplaced > 0)
                notes.Add($"{start.Groups[g]}: first-fit-decreasing found no host for {unplaced} units; they stay where they are.");
        }
        var steps = start.Units.Where(u => u.Movable && target[u.Index] != u.OriginalHost)
            .Select(u => new PlanStep(u, target[u.Index], "Packed first-fit-decreasing from scratch")).ToList();
        return PlanBuilder.Build(PlanStrategy.FirstFitDecreasing, start, steps, settings, notes);
    }

    // The unit is lifted out (host -1), so Check's "same host" case does not arise; the keep-apart count and capacity are
    // those of the partial packing.
    private static bool Fits(PlacementState state, MovableUnit u, int host) =>
        state.Fits(u, host) && !state.ApartBlocks(u, host);
}
