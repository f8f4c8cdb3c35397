using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

/// <summary>An oracle written apart from the planner's own checks: replays a plan's moves on the raw problem and lists every
/// broken constraint (cluster boundary, usable target, shared storage and networks, capacity less headroom after every
/// move, keep-apart, keep-together, host-group rules, pinned VMs, each VM moved once).</summary>
internal static class PlanChecker
{
    public static List<string> Violations(PlacementProblem problem, PlacementPlan plan)
    {
        var errors = new List<string>();
        var hosts = problem.Hosts.ToDictionary(h => h.Id);
        var vms = problem.Vms.ToDictionary(v => v.Id);
        var where = problem.Vms.ToDictionary(v => v.Id, v => v.HostId);
        var cpu = problem.Hosts.ToDictionary(h => h.Id, h => problem.Vms.Where(v => v.HostId == h.Id).Sum(v => v.CpuDemandMhz));
        var mem = problem.Hosts.ToDictionary(h => h.Id, h => problem.Vms.Where(v => v.HostId == h.Id).Sum(v => v.MemoryDemandMb));
        bool Within(string host)
        {
            var h = hosts[host];
            var headroom = problem.HeadroomFor(h.GroupId);
            return cpu[host] <= h.CpuCapacityMhz * (1 - headroom.CpuPercent / 100) + 1e-6
                && mem[host] <= h.MemoryCapacityMb * (1 - headroom.MemoryPercent / 100) + 1e-6;
        }
        var apartBefore = problem.Rules.Where(r => r.Kind == PlacementRuleKind.KeepApart)
            .ToDictionary(r => r, r => r.VmIds.GroupBy(id => where[id]).ToDictionary(g => g.Key, g => g.Count()));
        var seen = new HashSet<string>();
        foreach (var move in plan.Moves)
        {
            if (!seen.Add(move.VmId))
                errors.Add($"{move.VmId} moves twice");
            var vm = vms[move.VmId];
            if (!vm.Movable)
                errors.Add($"{vm.Id} is pinned but moves");
            if (where[vm.Id] != move.FromHostId)
                errors.Add($"{vm.Id} is on {where[vm.Id]}, not {move.FromHostId}");
            var from = hosts[move.FromHostId];
            var to = hosts[move.ToHostId];
            if (from.GroupId != to.GroupId)
                errors.Add($"{vm.Id} crosses from {from.GroupId} to {to.GroupId}");
            if (!to.Usable)
                errors.Add($"{vm.Id} goes to {to.Id}, which is not usable");
            if (!vm.Datastores.All(to.Datastores.Contains) || !vm.Networks.All(to.Networks.Contains))
                errors.Add($"{vm.Id} goes to {to.Id}, which does not see its storage or network");
            foreach (var r in problem.Rules.Where(r => r.Kind == PlacementRuleKind.RunOnHostGroup && r.VmIds.Contains(vm.Id) && !r.HostIds!.Contains(to.Id)))
                errors.Add($"{vm.Id} goes to {to.Id}, outside host-group rule {r.Name}");
            where[vm.Id] = to.Id;
            cpu[from.Id] -= vm.CpuDemandMhz;
            mem[from.Id] -= vm.MemoryDemandMb;
            cpu[to.Id] += vm.CpuDemandMhz;
            mem[to.Id] += vm.MemoryDemandMb;
            if (plan.InSafeOrder && !Within(to.Id))
                errors.Add($"{to.Id} is above capacity less headroom after move {move.Sequence} ({vm.Id})");
            foreach (var r in problem.Rules.Where(r => r.Kind == PlacementRuleKind.KeepApart && r.VmIds.Contains(vm.Id)))
            {
                var together = r.VmIds.Count(id => where[id] == to.Id);
                if (together > Math.Max(1, apartBefore[r].GetValueOrDefault(to.Id)))
                    errors.Add($"{vm.Id} joins another VM of keep-apart rule {r.Name} on {to.Id}");
            }
        }
        foreach (var r in problem.Rules.Where(r => r.Kind == PlacementRuleKind.KeepTogether))
        {
            var wasTogether = r.VmIds.Select(id => vms[id].HostId).Distinct().Count() == 1;
            if (wasTogether && r.VmIds.Select(id => where[id]).Distinct().Count() != 1)
                errors.Add($"keep-together rule {r.Name} is split by the plan");
        }
        foreach (var h in problem.Hosts.Where(h => plan.Moves.Any(m => m.ToHostId == h.Id)))
            if (!Within(h.Id))
                errors.Add($"{h.Id} ends above capacity less headroom");
        return errors;
    }
}
