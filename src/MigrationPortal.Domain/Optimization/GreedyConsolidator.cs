namespace MigrationPortal.Domain.Optimization;

/// <summary>Consolidation without a solver. In each cluster, try to empty the hosts in order of fewest VMs (then least
/// load): each of the host's units, largest first, goes to the fullest host that still takes it (best fit) among the
/// hosts that are not being emptied; if one unit finds no room, the host is left as it was. A host that received VMs is
/// never emptied later, and an emptied host never receives, so every move lands on a host that only gains: any order of
/// the moves keeps capacity and rules at every step. Used alone when no solver is configured, and as the solver's warm start.</summary>
public static class GreedyConsolidator
{
    public static PlacementPlan Plan(PlacementProblem problem, OptimizerSettings settings)
    {
        settings.Validate();
        var start = new PlacementState(problem);
        var steps = Steps(start, settings, out var notes);
        return PlanBuilder.Build(PlanStrategy.Consolidate, start, steps, settings, notes);
    }

    public static List<PlanStep> Steps(PlacementState start, OptimizerSettings settings, out List<string> notes)
    {
        var state = start.Clone();
        var problem = start.Problem;
        var steps = new List<PlanStep>();
        notes = [];
        var role = new HostRole[problem.Hosts.Count];
        var movedVms = 0;
        var unitsOnHost = start.Units.Where(u => u.OriginalHost >= 0).ToLookup(u => u.OriginalHost);

        for (var g = 0; g < start.Groups.Count; g++)
        {
            var candidates = start.GroupHosts[g]
                .Where(h => problem.Hosts[h].Usable && start.VmCount(h) > 0)
                .OrderBy(h => start.VmCount(h)).ThenBy(h => start.Load(h, settings)).ThenBy(h => h)
                .ToArray();
            var freedHere = 0;
            string? lastFailure = null;
            foreach (var h in candidates)
            {
                if (role[h] == HostRole.Receiver)
                    continue;
                var units = unitsOnHost[h].ToArray();
                if (units.Sum(u => u.Vms.Count) != state.VmCount(h))
                {
                    lastFailure = $"{problem.Hosts[h].Id} holds VMs of a keep-together rule that is already broken";
                    continue;
                }
                if (units.FirstOrDefault(u => !u.Movable) is { } pinned)
                {
                    lastFailure = $"{problem.Hosts[h].Id} keeps {pinned.Label}: {pinned.FixedReason}";
                    continue;
                }
                var vmCount = units.Sum(u => u.Vms.Count);
                if (movedVms + vmCount > settings.MaxMoves)
                {
                    lastFailure = $"emptying {problem.Hosts[h].Id} would pass the limit of {settings.MaxMoves} moves";
                    continue;
                }
                role[h] = HostRole.Sender;
                var tentative = new List<PlanStep>();
                var ok = true;
                foreach (var u in units.OrderByDescending(u => Size(u, state, g)))
                {
                    var to = -1;
                    var fullest = double.NegativeInfinity;
                    var block = MoveBlock.NotAllowed;
                    foreach (var t in u.AllowedHosts)
                    {
                        if (role[t] == HostRole.Sender || state.VmCount(t) == 0)
                            continue;
                        var b = state.Check(u, t);
                        if (b != MoveBlock.None)
                        {
                            block = b;
                            continue;
                        }
                        var fill = Math.Max((state.CpuUsed(t) + u.CpuMhz) / state.CpuLimit[t], (state.MemUsed(t) + u.MemoryMb) / state.MemLimit[t]);
                        if (fill > fullest)
                        {
                            fullest = fill;
                            to = t;
                        }
                    }
                    if (to < 0)
                    {
                        lastFailure = $"{problem.Hosts[h].Id} cannot be emptied: {u.Label} has no other host ({Explain(block)})";
                        ok = false;
                        break;
                    }
                    state.Move(u, to);
                    tentative.Add(new PlanStep(u, to, $"Empties {problem.Hosts[h].Id} so it can be powered off"));
                }
                if (!ok)
                {
                    for (var i = tentative.Count - 1; i >= 0; i--)
                        state.MoveUnchecked(tentative[i].Unit, h);
                    role[h] = HostRole.None;
                    continue;
                }
                foreach (var s in tentative)
                    role[s.ToHost] = HostRole.Receiver;
                steps.AddRange(tentative);
                movedVms += vmCount;
                freedHere++;
            }
            if (freedHere == 0 && candidates.Length > 0)
                notes.Add($"{start.Groups[g]}: no host can be emptied{(lastFailure is null ? "" : $"; last reason: {lastFailure}")}.");
        }
        return steps;
    }

    /// <summary>A unit's size for ordering: its larger share of the cluster's mean usable capacity.</summary>
    internal static double Size(MovableUnit u, PlacementState state, int group)
    {
        var hosts = state.GroupHosts[group];
        var cpu = hosts.Average(h => state.CpuLimit[h]);
        var mem = hosts.Average(h => state.MemLimit[h]);
        return Math.Max(u.CpuMhz / cpu, u.MemoryMb / mem);
    }

    internal static string Explain(MoveBlock block) => block switch
    {
        MoveBlock.Capacity => "no room within capacity less headroom",
        MoveBlock.KeepApart => "a keep-apart rule",
        _ => "no other usable host in its cluster sees its datastores and networks within its host-group rules",
    };

    private enum HostRole { None, Sender, Receiver }
}
