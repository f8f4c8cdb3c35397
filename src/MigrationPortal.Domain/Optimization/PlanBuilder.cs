namespace MigrationPortal.Domain.Optimization;

/// <summary>Turns a strategy's steps into a plan: replays them on a copy of the starting state (each move checked against
/// the state at that moment), then measures the what-if, the imbalance, the freed hosts and the savings.</summary>
public static class PlanBuilder
{
    public static PlacementPlan Build(PlanStrategy strategy, PlacementState start, IReadOnlyList<PlanStep> steps, OptimizerSettings settings,
        IEnumerable<string> notes, SolverReport? solver = null)
    {
        var (ordered, safe) = Order(start, steps);
        var after = start.Clone();
        var moves = new List<PlannedMove>();
        var hosts = start.Problem.Hosts;
        foreach (var step in ordered)
        {
            var from = after.HostOf(step.Unit);
            if (safe)
                after.Move(step.Unit, step.ToHost);
            else
                after.MoveUnchecked(step.Unit, step.ToHost);
            foreach (var v in step.Unit.Vms)
            {
                var vm = start.Problem.Vms[v];
                moves.Add(new PlannedMove(moves.Count + 1, vm.Id, hosts[from].Id, hosts[step.ToHost].Id, vm.CpuDemandMhz, vm.MemoryDemandMb,
                    Duration(vm.MemoryDemandMb, settings), step.Reason));
            }
        }

        var changes = new List<HostLoadChange>(hosts.Count);
        var freedWatts = 0.0;
        var freed = 0;
        for (var h = 0; h < hosts.Count; h++)
        {
            var host = hosts[h];
            var isFreed = host.Usable && start.VmCount(h) > 0 && after.VmCount(h) == 0;
            if (isFreed)
            {
                freed++;
                freedWatts += host.Watts ?? settings.WattsPerHost;
            }
            changes.Add(new HostLoadChange(host.Id, host.GroupId, host.Usable,
                start.CpuUsed(h) / host.CpuCapacityMhz, start.MemUsed(h) / host.MemoryCapacityMb, start.Load(h, settings), start.VmCount(h),
                after.CpuUsed(h) / host.CpuCapacityMhz, after.MemUsed(h) / host.MemoryCapacityMb, after.Load(h, settings), after.VmCount(h), isFreed));
        }
        var target = OptimizerSettings.TargetImbalance(settings.ThresholdLevel);
        var clusters = start.Groups.Select((g, i) => new ClusterImbalance(g, start.Imbalance(i, settings), after.Imbalance(i, settings), target)).ToArray();
        var kwh = freedWatts * OptimizerSettings.HoursPerMonth / 1000.0;
        var allNotes = start.Notes.Concat(notes).ToList();
        if (!safe)
            allNotes.Add("No order of these moves keeps every host within capacity and rules at each step: some need a temporary stop elsewhere (a plan packed from scratch ignores where VMs are).");
        return new PlacementPlan(strategy, moves, changes, clusters, start.OverallImbalance(settings), after.OverallImbalance(settings), freed,
            new PowerSavings(freed, freedWatts, kwh, kwh * settings.PricePerKwh),
            TimeSpan.FromTicks(moves.Sum(m => m.EstimatedDuration.Ticks)), safe, allNotes, solver);
    }

    public static TimeSpan Duration(double memoryMb, OptimizerSettings settings) =>
        settings.MoveOverhead + TimeSpan.FromMinutes(memoryMb / 1024.0 / settings.MigrationGigabytesPerMinute);

    /// <summary>Puts the steps in an order in which each lands on a host with room and no keep-apart partner at that moment.
    /// The strategies already emit such an order (balance checks each move as it goes; consolidation only moves VMs off
    /// hosts that receive none), so this is a no-op for them; a placement computed from scratch may admit no such order.</summary>
    public static (IReadOnlyList<PlanStep> Steps, bool Safe) Order(PlacementState start, IReadOnlyList<PlanStep> steps)
    {
        if (steps.Select(s => s.Unit.Index).Distinct().Count() != steps.Count)
            throw new ArgumentException("A plan moves each VM at most once.", nameof(steps));
        var state = start.Clone();
        var ordered = new List<PlanStep>(steps.Count);
        var pending = steps.ToList();
        while (pending.Count > 0)
        {
            var rest = new List<PlanStep>();
            foreach (var step in pending)
            {
                if (state.Check(step.Unit, step.ToHost) == MoveBlock.None)
                {
                    state.Move(step.Unit, step.ToHost);
                    ordered.Add(step);
                }
                else
                    rest.Add(step);
            }
            if (rest.Count == pending.Count)
                return (steps, false);
            pending = rest;
        }
        return (ordered, true);
    }
}
