namespace MigrationPortal.Domain.Optimization;

/// <summary>Builds the per-cluster packing problems a consolidation solver works on, and turns a solver's assignment back into plan steps.</summary>
public static class PackingModel
{
    /// <param name="candidateSlack">How many hosts beyond the volume bound (and beyond those the warm start empties) are
    /// offered to the solver to empty; the units of the other hosts stay out of the model, which keeps it small at 1,000 VMs
    /// per cluster. <c>int.MaxValue</c> offers every host.</param>
    public static IReadOnlyList<PackingCluster> Build(PlacementState state, IReadOnlyList<PlanStep> warmStart, int maxMoves, int candidateSlack = 3)
    {
        var problem = state.Problem;
        var clusters = new List<PackingCluster>();
        var warmByGroup = warmStart.GroupBy(s => s.Unit.Group).ToDictionary(g => g.Key, g => g.Sum(s => s.Unit.Vms.Count));
        var warmTotal = warmByGroup.Values.Sum();
        var totalMovable = state.Units.Where(u => u.Movable).Sum(u => u.Vms.Count);
        for (var g = 0; g < state.Groups.Count; g++)
        {
            var hostIds = state.GroupHosts[g].Where(h => problem.Hosts[h].Usable).ToArray();
            var local = new Dictionary<int, int>();
            for (var i = 0; i < hostIds.Length; i++)
                local[hostIds[i]] = i;
            var allUnits = state.Units.Where(u => u.Group == g && u.OriginalHost >= 0 && local.ContainsKey(u.OriginalHost)).ToArray();
            var volumeBound = VolumeBound(state, hostIds);

            // Hosts offered to be emptied: those the warm start empties, then the ones with fewest VMs (as the greedy tries
            // them), up to the volume bound plus the slack; a host with a pinned VM cannot be emptied at all.
            var emptiedByWarm = warmStart.Where(s => s.Unit.Group == g).Select(s => s.Unit.OriginalHost).ToHashSet();
            var emptiable = hostIds.Where(h => state.VmCount(h) > 0 && allUnits.Where(u => u.OriginalHost == h).All(u => u.Movable)
                && allUnits.Where(u => u.OriginalHost == h).Sum(u => u.Vms.Count) == state.VmCount(h)).ToArray();
            var take = candidateSlack == int.MaxValue ? int.MaxValue : Math.Max(volumeBound, emptiedByWarm.Count) + candidateSlack;
            var candidates = emptiable.OrderBy(h => emptiedByWarm.Contains(h) ? 0 : 1).ThenBy(h => state.VmCount(h))
                .ThenBy(h => state.Load(h, new OptimizerSettings())).ThenBy(h => h).Take(take).ToHashSet();
            var restricted = candidates.Count < emptiable.Length;
            var units = allUnits.Where(u => candidates.Contains(u.OriginalHost)).ToArray();

            // VMs the model does not place (split keep-together sets, which may even span clusters, and the units of hosts
            // not offered) stay as fixed load: found by VM, so no VM on these hosts is left out of the count.
            var modelled = units.SelectMany(u => u.Vms).ToHashSet();
            var fixedCpu = new double[hostIds.Length];
            var fixedMem = new double[hostIds.Length];
            var hasFixed = new bool[hostIds.Length];
            for (var v = 0; v < problem.Vms.Count; v++)
                if (local.TryGetValue(state.HostOfVm(v), out var l) && !modelled.Contains(v))
                {
                    fixedCpu[l] += problem.Vms[v].CpuDemandMhz;
                    fixedMem[l] += problem.Vms[v].MemoryDemandMb;
                    hasFixed[l] = true;
                }
            var hosts = hostIds.Select((h, i) =>
            {
                var over = state.CpuUsed(h) > state.CpuLimit[h] + 1e-6 || state.MemUsed(h) > state.MemLimit[h] + 1e-6;
                return new PackingHost(h, problem.Hosts[h].Id,
                    (long)Math.Floor(state.CpuLimit[h] - fixedCpu[i]), (long)Math.Floor(state.MemLimit[h] - fixedMem[i]),
                    CanReceive: state.VmCount(h) > 0 && !over, InUse: state.VmCount(h) > 0, hasFixed[i]);
            }).ToArray();
            var unitLocal = new Dictionary<int, int>();
            var packingUnits = new List<PackingUnit>(units.Length);
            foreach (var u in units)
            {
                var current = local[u.OriginalHost];
                var domain = new List<int> { current };
                if (u.Movable)
                    domain.AddRange(u.AllowedHosts.Where(local.ContainsKey).Select(h => local[h]).Where(l => hosts[l].CanReceive));
                unitLocal[u.Index] = packingUnits.Count;
                packingUnits.Add(new PackingUnit(u.Index, (long)Math.Ceiling(u.CpuMhz), (long)Math.Ceiling(u.MemoryMb), u.Vms.Count, domain));
            }
            var apart = new List<PackingApartSet>();
            for (var r = 0; r < state.ApartRules.Count; r++)
            {
                var members = units.Where(u => u.ApartRules.Contains(r)).Select(u => unitLocal[u.Index]).ToArray();
                if (members.Length < 2)
                    continue;
                var allowed = new int[hostIds.Length];
                foreach (var m in members)
                    allowed[packingUnits[m].Current]++;
                apart.Add(new PackingApartSet(state.ApartRules[r].Name, members, allowed.Select(a => Math.Max(1, a)).ToArray()));
            }
            // The move budget: what the warm start uses here, plus this cluster's share of what it leaves unused.
            var movableHere = units.Where(u => u.Movable).Sum(u => u.Vms.Count);
            var spare = Math.Max(0, (long)maxMoves - warmTotal);
            var budget = warmByGroup.GetValueOrDefault(g) + (totalMovable == 0 ? 0 : (int)(spare * movableHere / totalMovable));
            clusters.Add(new PackingCluster(g, state.Groups[g], hosts, packingUnits, apart, budget, volumeBound, restricted));
        }
        return clusters;
    }

    /// <summary>Hosts in use less the fewest hosts that can hold the cluster's demand: each host left on holds at most its
    /// limit (capacity less headroom), or what it holds now if that is more (it may only give VMs away).</summary>
    public static int VolumeBound(PlacementState state, IReadOnlyList<int> usableHosts)
    {
        var inUse = usableHosts.Where(h => state.VmCount(h) > 0).ToArray();
        int Needed(Func<int, double> used, Func<int, double> limit)
        {
            var demand = inUse.Sum(used);
            var caps = inUse.Select(h => Math.Max(limit(h), used(h))).OrderDescending().ToArray();
            var n = 0;
            for (var held = 0.0; held < demand - 1e-6 && n < caps.Length; n++)
                held += caps[n];
            return n;
        }
        var needed = Math.Max(Needed(state.CpuUsed, h => state.CpuLimit[h]), Needed(state.MemUsed, h => state.MemLimit[h]));
        return inUse.Length - needed;
    }

    /// <summary>The local host of each unit after the given steps (the warm start for a solver).</summary>
    public static int[] Assignment(PackingCluster cluster, IReadOnlyList<PlanStep> steps)
    {
        var byUnit = steps.Where(s => s.Unit.Group == cluster.Group).ToDictionary(s => s.Unit.Index, s => s.ToHost);
        var local = cluster.Hosts.Select((h, i) => (h.HostIndex, i)).ToDictionary(x => x.HostIndex, x => x.i);
        return cluster.Units.Select(u => byUnit.TryGetValue(u.UnitIndex, out var h) && local.TryGetValue(h, out var l) ? l : u.Current).ToArray();
    }

    public static PackingScore Score(PackingCluster cluster, IReadOnlyList<int> assignment)
    {
        var used = new bool[cluster.Hosts.Count];
        var moved = 0;
        for (var i = 0; i < cluster.Units.Count; i++)
        {
            used[assignment[i]] = true;
            if (assignment[i] != cluster.Units[i].Current)
                moved += cluster.Units[i].VmCount;
        }
        var freed = cluster.Hosts.Where((h, i) => h.InUse && !h.HasFixedLoad && !used[i]).Count();
        return new PackingScore(freed, moved);
    }

    /// <summary>Plan steps for an assignment: units leave hosts that end empty first, so the reasons say which host is freed.</summary>
    public static List<PlanStep> ToSteps(PlacementState state, PackingCluster cluster, IReadOnlyList<int> assignment)
    {
        var used = new bool[cluster.Hosts.Count];
        foreach (var a in assignment)
            used[a] = true;
        var steps = new List<PlanStep>();
        for (var i = 0; i < cluster.Units.Count; i++)
        {
            var u = cluster.Units[i];
            if (assignment[i] == u.Current)
                continue;
            var from = cluster.Hosts[u.Current];
            var reason = used[u.Current]
                ? $"Makes room so that another host of {cluster.GroupId} can be emptied"
                : $"Empties {from.Id} so it can be powered off";
            steps.Add(new PlanStep(state.Units[u.UnitIndex], cluster.Hosts[assignment[i]].HostIndex, reason));
        }
        return steps;
    }
}
