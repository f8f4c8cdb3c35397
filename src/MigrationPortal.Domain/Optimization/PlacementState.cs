namespace MigrationPortal.Domain.Optimization;

/// <summary>A placement being planned: where each VM is, what each host carries, and the checks every strategy shares.
/// A move is checked against the state as it is at that moment, so a plan replayed in order never passes through an
/// overcommitted host or a broken rule.</summary>
public sealed class PlacementState
{
    private readonly double[] _cpuUsed;
    private readonly double[] _memUsed;
    private readonly int[] _vmHost;
    private readonly int[] _hostVmCount;
    private readonly int[][] _vmApartRules;
    private readonly int[][] _apartCount;

    public PlacementState(PlacementProblem problem)
    {
        Problem = problem;
        var hosts = problem.Hosts;
        var n = hosts.Count;
        Groups = hosts.Select(h => h.GroupId).Distinct(StringComparer.Ordinal).ToArray();
        var groupIndex = Groups.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        HostGroup = hosts.Select(h => groupIndex[h.GroupId]).ToArray();
        GroupHosts = Groups.Select((_, g) => Enumerable.Range(0, n).Where(h => HostGroup[h] == g).ToArray()).ToArray();
        CpuCapacity = hosts.Select(h => h.CpuCapacityMhz).ToArray();
        MemCapacity = hosts.Select(h => h.MemoryCapacityMb).ToArray();
        CpuLimit = hosts.Select(h => h.CpuCapacityMhz * problem.HeadroomFor(h.GroupId).CpuFactor).ToArray();
        MemLimit = hosts.Select(h => h.MemoryCapacityMb * problem.HeadroomFor(h.GroupId).MemoryFactor).ToArray();

        _cpuUsed = new double[n];
        _memUsed = new double[n];
        _hostVmCount = new int[n];
        _vmHost = new int[problem.Vms.Count];
        for (var v = 0; v < problem.Vms.Count; v++)
        {
            var h = problem.HostIndex[problem.Vms[v].HostId];
            _vmHost[v] = h;
            _cpuUsed[h] += problem.Vms[v].CpuDemandMhz;
            _memUsed[h] += problem.Vms[v].MemoryDemandMb;
            _hostVmCount[h]++;
        }

        var apartRules = problem.Rules.Where(r => r.Kind == PlacementRuleKind.KeepApart).ToArray();
        var vmApart = Enumerable.Range(0, problem.Vms.Count).Select(_ => new List<int>()).ToArray();
        _apartCount = new int[apartRules.Length][];
        for (var r = 0; r < apartRules.Length; r++)
        {
            _apartCount[r] = new int[n];
            foreach (var v in apartRules[r].VmIds.Select(id => problem.VmIndex[id]).Distinct())
            {
                vmApart[v].Add(r);
                _apartCount[r][_vmHost[v]]++;
            }
        }
        _vmApartRules = vmApart.Select(l => l.ToArray()).ToArray();
        ApartRules = apartRules;

        var notes = new List<string>();
        Units = BuildUnits(problem, apartRules, notes);
        var vmUnit = new int[problem.Vms.Count];
        foreach (var u in Units)
            foreach (var v in u.Vms)
                vmUnit[v] = u.Index;
        VmUnit = vmUnit;
        ExistingViolations = FindViolations(problem, apartRules);
        notes.AddRange(ExistingViolations.Select(v => v + " (already so before the plan; the plan does not make it worse and does not set out to repair it)"));
        Notes = notes;
    }

    private PlacementState(PlacementState other)
    {
        Problem = other.Problem;
        Groups = other.Groups;
        HostGroup = other.HostGroup;
        GroupHosts = other.GroupHosts;
        CpuCapacity = other.CpuCapacity;
        MemCapacity = other.MemCapacity;
        CpuLimit = other.CpuLimit;
        MemLimit = other.MemLimit;
        Units = other.Units;
        VmUnit = other.VmUnit;
        ApartRules = other.ApartRules;
        ExistingViolations = other.ExistingViolations;
        Notes = other.Notes;
        _vmApartRules = other._vmApartRules;
        _cpuUsed = (double[])other._cpuUsed.Clone();
        _memUsed = (double[])other._memUsed.Clone();
        _vmHost = (int[])other._vmHost.Clone();
        _hostVmCount = (int[])other._hostVmCount.Clone();
        _apartCount = other._apartCount.Select(a => (int[])a.Clone()).ToArray();
    }

    public PlacementProblem Problem { get; }
    public IReadOnlyList<string> Groups { get; }
    public IReadOnlyList<int> HostGroup { get; }
    public IReadOnlyList<int[]> GroupHosts { get; }
    internal double[] CpuCapacity { get; }
    internal double[] MemCapacity { get; }
    /// <summary>Capacity less the cluster's headroom: what a host may carry after a move onto it.</summary>
    public IReadOnlyList<double> CpuLimit { get; }
    public IReadOnlyList<double> MemLimit { get; }
    public IReadOnlyList<MovableUnit> Units { get; }
    public IReadOnlyList<int> VmUnit { get; }
    public IReadOnlyList<PlacementRule> ApartRules { get; }
    /// <summary>Rules already broken by the current placement.</summary>
    public IReadOnlyList<string> ExistingViolations { get; }
    /// <summary>Why units are fixed, and the violations found before planning.</summary>
    public IReadOnlyList<string> Notes { get; }

    public PlacementState Clone() => new(this);

    public double CpuUsed(int host) => _cpuUsed[host];
    public double MemUsed(int host) => _memUsed[host];
    public int VmCount(int host) => _hostVmCount[host];
    public int HostOfVm(int vm) => _vmHost[vm];
    public int HostOf(MovableUnit unit) => unit.OriginalHost < 0 ? -1 : _vmHost[unit.Vms[0]];

    public double Load(int host, OptimizerSettings s)
    {
        var h = Problem.Hosts[host];
        return s.CpuWeight * _cpuUsed[host] / h.CpuCapacityMhz + s.MemoryWeight * _memUsed[host] / h.MemoryCapacityMb;
    }

    /// <summary>The load a unit adds to (or takes from) a host, in the same units as <see cref="Load"/>.</summary>
    public double LoadOf(MovableUnit unit, int host, OptimizerSettings s)
    {
        var h = Problem.Hosts[host];
        return s.CpuWeight * unit.CpuMhz / h.CpuCapacityMhz + s.MemoryWeight * unit.MemoryMb / h.MemoryCapacityMb;
    }

    public bool Fits(MovableUnit unit, int host) =>
        _cpuUsed[host] + unit.CpuMhz <= CpuLimit[host] + 1e-6 && _memUsed[host] + unit.MemoryMb <= MemLimit[host] + 1e-6;

    internal bool ApartBlocks(MovableUnit unit, int host)
    {
        foreach (var r in unit.ApartRules)
            if (_apartCount[r][host] > 0)
                return true;
        return false;
    }

    public MoveBlock Check(MovableUnit unit, int host)
    {
        if (!unit.Movable)
            return MoveBlock.Fixed;
        if (HostOf(unit) == host)
            return MoveBlock.SameHost;
        if (!unit.AllowedHosts.Contains(host))
            return MoveBlock.NotAllowed;
        if (!Fits(unit, host))
            return MoveBlock.Capacity;
        return ApartBlocks(unit, host) ? MoveBlock.KeepApart : MoveBlock.None;
    }

    /// <summary>Moves a unit; throws if the move breaks a constraint, so a strategy's bug cannot produce an unsafe plan.</summary>
    public void Move(MovableUnit unit, int host)
    {
        var block = Check(unit, host);
        if (block != MoveBlock.None)
            throw new InvalidOperationException($"Moving {unit.Label} to {Problem.Hosts[host].Id} is blocked: {block}.");
        MoveUnchecked(unit, host);
    }

    /// <summary>Moves without checks: for packing from scratch (first-fit-decreasing), which first lifts every VM out.</summary>
    internal void MoveUnchecked(MovableUnit unit, int host)
    {
        foreach (var v in unit.Vms)
        {
            var from = _vmHost[v];
            var vm = Problem.Vms[v];
            if (from >= 0)
            {
                _cpuUsed[from] -= vm.CpuDemandMhz;
                _memUsed[from] -= vm.MemoryDemandMb;
                _hostVmCount[from]--;
                foreach (var r in _vmApartRules[v])
                    _apartCount[r][from]--;
            }
            _vmHost[v] = host;
            if (host >= 0)
            {
                _cpuUsed[host] += vm.CpuDemandMhz;
                _memUsed[host] += vm.MemoryDemandMb;
                _hostVmCount[host]++;
                foreach (var r in _vmApartRules[v])
                    _apartCount[r][host]++;
            }
        }
    }

    /// <summary>Coefficient of variation (population standard deviation over mean) of the load of a cluster's usable hosts;
    /// 0 for an idle cluster or one with fewer than two usable hosts.</summary>
    public double Imbalance(int group, OptimizerSettings s)
    {
        double sum = 0, sumSq = 0;
        var n = 0;
        foreach (var h in GroupHosts[group])
        {
            if (!Problem.Hosts[h].Usable)
                continue;
            var l = Load(h, s);
            sum += l;
            sumSq += l * l;
            n++;
        }
        return CoefficientOfVariation(sum, sumSq, n);
    }

    internal static double CoefficientOfVariation(double sum, double sumSq, int n)
    {
        if (n < 2 || sum <= 1e-12)
            return 0;
        var mean = sum / n;
        var variance = Math.Max(0, sumSq / n - mean * mean);
        return Math.Sqrt(variance) / mean;
    }

    /// <summary>The imbalance of the whole problem: the mean of the clusters' imbalance weighted by their usable hosts. Moves
    /// never cross clusters, so a spread between clusters is not something a plan could change.</summary>
    public double OverallImbalance(OptimizerSettings s)
    {
        double weighted = 0;
        var hosts = 0;
        for (var g = 0; g < Groups.Count; g++)
        {
            var n = GroupHosts[g].Count(h => Problem.Hosts[h].Usable);
            weighted += Imbalance(g, s) * n;
            hosts += n;
        }
        return hosts == 0 ? 0 : weighted / hosts;
    }

    private MovableUnit[] BuildUnits(PlacementProblem problem, PlacementRule[] apartRules, List<string> notes)
    {
        var vms = problem.Vms;
        // Keep-together rules bind VMs into one unit (union-find over the rules).
        var parent = Enumerable.Range(0, vms.Count).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        foreach (var r in problem.Rules.Where(r => r.Kind == PlacementRuleKind.KeepTogether))
        {
            var ids = r.VmIds.Select(id => problem.VmIndex[id]).ToArray();
            for (var i = 1; i < ids.Length; i++)
                parent[Find(ids[i])] = Find(ids[0]);
        }
        var hostRules = problem.Rules.Where(r => r.Kind == PlacementRuleKind.RunOnHostGroup).ToArray();
        var vmHostRules = Enumerable.Range(0, vms.Count).Select(_ => new List<PlacementRule>()).ToArray();
        foreach (var r in hostRules)
            foreach (var id in r.VmIds)
                vmHostRules[problem.VmIndex[id]].Add(r);

        var members = Enumerable.Range(0, vms.Count).GroupBy(Find).Select(g => g.ToArray()).OrderBy(m => m[0]).ToArray();
        var units = new MovableUnit[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            var m = members[i];
            var hostsOfMembers = m.Select(v => _vmHost[v]).Distinct().ToArray();
            var host = hostsOfMembers.Length == 1 ? hostsOfMembers[0] : -1;
            var group = HostGroup[_vmHost[m[0]]];
            var label = m.Length == 1 ? vms[m[0]].Id : $"{vms[m[0]].Id} and {m.Length - 1} kept together";
            var unit = new MovableUnit(i, m, m.Sum(v => vms[v].CpuDemandMhz), m.Sum(v => vms[v].MemoryDemandMb), host, group, label);
            var rules = m.SelectMany(v => _vmApartRules[v]).ToArray();
            unit.ApartRules = rules.Distinct().ToArray();

            var pinned = m.Select(v => vms[v]).FirstOrDefault(v => !v.Movable);
            if (pinned is not null)
                unit.FixedReason = $"{pinned.Id} may not move: {pinned.PinnedReason ?? "pinned"}";
            else if (host < 0)
                unit.FixedReason = $"{label} are split over hosts already (keep-together rule broken); the optimizer leaves them";
            else if (!problem.Hosts[host].Usable)
                unit.FixedReason = $"{label} is on {problem.Hosts[host].Id}, in maintenance or not connected: evacuation moves it, not the optimizer";
            else if (rules.Length != unit.ApartRules.Length)
                unit.FixedReason = $"{label}: its keep-together and keep-apart rules contradict each other";
            if (!unit.Movable && m.Length > 1)
                notes.Add(unit.FixedReason!);

            if (unit.Movable)
            {
                var datastores = m.SelectMany(v => vms[v].Datastores).Distinct().ToArray();
                var networks = m.SelectMany(v => vms[v].Networks).Distinct().ToArray();
                var ruleHosts = m.SelectMany(v => vmHostRules[v]).Distinct().ToArray();
                unit.AllowedHosts = GroupHosts[group].Where(h =>
                {
                    var candidate = problem.Hosts[h];
                    return h != host && candidate.Usable
                        && datastores.All(candidate.Datastores.Contains)
                        && networks.All(candidate.Networks.Contains)
                        && ruleHosts.All(r => r.HostIds!.Contains(candidate.Id));
                }).ToArray();
            }
            units[i] = unit;
        }
        return units;
    }

    private List<string> FindViolations(PlacementProblem problem, PlacementRule[] apartRules)
    {
        var found = new List<string>();
        foreach (var r in problem.Rules)
        {
            var hosts = r.VmIds.Select(id => (Vm: id, Host: problem.Vms[problem.VmIndex[id]].HostId)).ToArray();
            switch (r.Kind)
            {
                case PlacementRuleKind.KeepApart:
                    foreach (var g in hosts.GroupBy(x => x.Host).Where(g => g.Count() > 1))
                        found.Add($"{r.Strength} keep-apart rule '{r.Name}' is broken on {g.Key} ({string.Join(", ", g.Select(x => x.Vm))})");
                    break;
                case PlacementRuleKind.KeepTogether:
                    if (hosts.Select(x => x.Host).Distinct().Count() > 1)
                        found.Add($"{r.Strength} keep-together rule '{r.Name}' is broken: its VMs are on {string.Join(", ", hosts.Select(x => x.Host).Distinct())}");
                    break;
                case PlacementRuleKind.RunOnHostGroup:
                    foreach (var x in hosts.Where(x => !r.HostIds!.Contains(x.Host)))
                        found.Add($"{r.Strength} host-group rule '{r.Name}' is broken: {x.Vm} runs on {x.Host}");
                    break;
            }
        }
        return found;
    }
}
